-- DATA LOSS: deletes the EMAIL_LIMIT_REACHED notifications.
DELETE FROM "notifications" WHERE "kind" = 'EMAIL_LIMIT_REACHED';--> statement-breakpoint
ALTER TYPE "public"."notification_kind" RENAME TO "notification_kind_old";--> statement-breakpoint
CREATE TYPE "public"."notification_kind" AS ENUM('TASK_ASSIGNED', 'TASK_LIST_SHARED', 'EVENT_INVITATION', 'INVITATION_RESPONSE', 'USAGE_LIMIT_WARNING', 'SECURITY_ALERT');--> statement-breakpoint
ALTER TABLE "notifications" ALTER COLUMN "kind" SET DATA TYPE "public"."notification_kind" USING "kind"::text::"public"."notification_kind";--> statement-breakpoint
DROP TYPE "public"."notification_kind_old";
