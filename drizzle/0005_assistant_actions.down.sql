-- DATA LOSS: drops the assistant's actions and tool messages, conversation summaries, and ASSISTANT_ACTION_PENDING notifications.
DROP TABLE "assistant_actions";--> statement-breakpoint
ALTER TABLE "messages" DROP COLUMN "stop_reason";--> statement-breakpoint
ALTER TABLE "messages" DROP COLUMN "tool_call_id";--> statement-breakpoint
ALTER TABLE "messages" DROP COLUMN "tool_calls";--> statement-breakpoint
ALTER TABLE "conversations" DROP COLUMN "summary_seq";--> statement-breakpoint
ALTER TABLE "conversations" DROP COLUMN "summary";--> statement-breakpoint
DROP TYPE "public"."tool_risk";--> statement-breakpoint
DROP TYPE "public"."assistant_action_status";--> statement-breakpoint
DROP TYPE "public"."action_source";--> statement-breakpoint
DELETE FROM "messages" WHERE "role" = 'TOOL';--> statement-breakpoint
ALTER TYPE "public"."message_role" RENAME TO "message_role_old";--> statement-breakpoint
CREATE TYPE "public"."message_role" AS ENUM('USER', 'ASSISTANT', 'SYSTEM');--> statement-breakpoint
ALTER TABLE "messages" ALTER COLUMN "role" SET DATA TYPE "public"."message_role" USING "role"::text::"public"."message_role";--> statement-breakpoint
DROP TYPE "public"."message_role_old";--> statement-breakpoint
DELETE FROM "notifications" WHERE "kind" = 'ASSISTANT_ACTION_PENDING';--> statement-breakpoint
ALTER TYPE "public"."notification_kind" RENAME TO "notification_kind_old";--> statement-breakpoint
CREATE TYPE "public"."notification_kind" AS ENUM('TASK_ASSIGNED', 'TASK_LIST_SHARED', 'EVENT_INVITATION', 'INVITATION_RESPONSE', 'USAGE_LIMIT_WARNING', 'SECURITY_ALERT', 'EMAIL_LIMIT_REACHED');--> statement-breakpoint
ALTER TABLE "notifications" ALTER COLUMN "kind" SET DATA TYPE "public"."notification_kind" USING "kind"::text::"public"."notification_kind";--> statement-breakpoint
DROP TYPE "public"."notification_kind_old";
