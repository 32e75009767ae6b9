-- DATA LOSS: drops every board, ticket and comment, and the ticket notifications.
DROP TABLE "ticket_participants";--> statement-breakpoint
DROP TABLE "ticket_labels";--> statement-breakpoint
DROP TABLE "ticket_comments";--> statement-breakpoint
DROP TABLE "tickets";--> statement-breakpoint
DROP TABLE "board_labels";--> statement-breakpoint
DROP TABLE "board_members";--> statement-breakpoint
DROP TABLE "board_former_keys";--> statement-breakpoint
ALTER TABLE "boards" DROP CONSTRAINT "boards_default_state_id_board_states_id_fk";--> statement-breakpoint
DROP TABLE "board_states";--> statement-breakpoint
DROP TABLE "boards";--> statement-breakpoint
DROP INDEX "activities_board_idx";--> statement-breakpoint
ALTER TABLE "activities" DROP COLUMN "board_id";--> statement-breakpoint
DELETE FROM "notifications" WHERE "kind" IN ('TICKET_ASSIGNED', 'TICKET_RECEIVED', 'TICKET_REPLIED', 'TICKET_INBOX_FAILED');--> statement-breakpoint
ALTER TYPE "public"."notification_kind" RENAME TO "notification_kind_old";--> statement-breakpoint
CREATE TYPE "public"."notification_kind" AS ENUM('TASK_ASSIGNED', 'TASK_LIST_SHARED', 'EVENT_INVITATION', 'INVITATION_RESPONSE', 'USAGE_LIMIT_WARNING', 'SECURITY_ALERT', 'EMAIL_LIMIT_REACHED', 'ASSISTANT_ACTION_PENDING', 'EMAIL_RECEIVED');--> statement-breakpoint
ALTER TABLE "notifications" ALTER COLUMN "kind" SET DATA TYPE "public"."notification_kind" USING "kind"::text::"public"."notification_kind";--> statement-breakpoint
DROP TYPE "public"."notification_kind_old";--> statement-breakpoint
DROP TYPE "public"."wip_policy";--> statement-breakpoint
DROP TYPE "public"."triage_status";--> statement-breakpoint
DROP TYPE "public"."ticket_channel";--> statement-breakpoint
DROP TYPE "public"."state_category";--> statement-breakpoint
DROP TYPE "public"."comment_visibility";--> statement-breakpoint
DROP TYPE "public"."auto_assign_mode";
