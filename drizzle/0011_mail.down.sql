-- DATA LOSS: drops every mail account, folder, thread, message, attachment, draft and sync log, and the EMAIL_RECEIVED notifications.
DELETE FROM "jobs" WHERE "kind" IN ('mail-sync', 'mail-send');--> statement-breakpoint
DELETE FROM "relations" WHERE "from_type" = 'EMAIL' OR "to_type" = 'EMAIL';--> statement-breakpoint
DO $$ BEGIN IF to_regclass('public.embeddings') IS NOT NULL THEN DELETE FROM "embeddings" WHERE "entity_type" = 'EMAIL'; END IF; END $$;--> statement-breakpoint
DROP TABLE "email_attachments", "email_drafts", "email_messages", "integration_logs", "mail_folders", "mail_threads", "mail_accounts";--> statement-breakpoint
DROP TYPE "public"."draft_status";--> statement-breakpoint
DROP TYPE "public"."integration_status";--> statement-breakpoint
DROP TYPE "public"."mail_sync_state";--> statement-breakpoint
DELETE FROM "notifications" WHERE "kind" = 'EMAIL_RECEIVED';--> statement-breakpoint
ALTER TYPE "public"."notification_kind" RENAME TO "notification_kind_old";--> statement-breakpoint
CREATE TYPE "public"."notification_kind" AS ENUM('TASK_ASSIGNED', 'TASK_LIST_SHARED', 'EVENT_INVITATION', 'INVITATION_RESPONSE', 'USAGE_LIMIT_WARNING', 'SECURITY_ALERT', 'EMAIL_LIMIT_REACHED', 'ASSISTANT_ACTION_PENDING');--> statement-breakpoint
ALTER TABLE "notifications" ALTER COLUMN "kind" SET DATA TYPE "public"."notification_kind" USING "kind"::text::"public"."notification_kind";--> statement-breakpoint
DROP TYPE "public"."notification_kind_old";
