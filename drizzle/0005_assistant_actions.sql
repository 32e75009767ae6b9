CREATE TYPE "public"."action_source" AS ENUM('ASSISTANT', 'MCP');--> statement-breakpoint
CREATE TYPE "public"."assistant_action_status" AS ENUM('PENDING', 'APPROVED', 'DENIED', 'EXECUTED', 'FAILED', 'EXPIRED');--> statement-breakpoint
CREATE TYPE "public"."tool_risk" AS ENUM('READ', 'WRITE', 'EXTERNAL');--> statement-breakpoint
ALTER TYPE "public"."notification_kind" ADD VALUE 'ASSISTANT_ACTION_PENDING';--> statement-breakpoint
ALTER TYPE "public"."message_role" ADD VALUE 'TOOL';--> statement-breakpoint
CREATE TABLE "assistant_actions" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"user_id" uuid NOT NULL,
	"conversation_id" uuid,
	"message_id" uuid,
	"tool_call_id" text,
	"tool" text NOT NULL,
	"risk" "tool_risk" NOT NULL,
	"arguments" jsonb NOT NULL,
	"status" "assistant_action_status" NOT NULL,
	"approval_reason" text,
	"result" jsonb,
	"error" text,
	"source" "action_source" NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT clock_timestamp() NOT NULL,
	"decided_at" timestamp (3) with time zone,
	"executed_at" timestamp (3) with time zone,
	"expires_at" timestamp (3) with time zone
);
--> statement-breakpoint
ALTER TABLE "conversations" ADD COLUMN "summary" text;--> statement-breakpoint
ALTER TABLE "conversations" ADD COLUMN "summary_seq" bigint;--> statement-breakpoint
ALTER TABLE "messages" ADD COLUMN "tool_calls" jsonb;--> statement-breakpoint
ALTER TABLE "messages" ADD COLUMN "tool_call_id" text;--> statement-breakpoint
ALTER TABLE "messages" ADD COLUMN "stop_reason" text;--> statement-breakpoint
ALTER TABLE "assistant_actions" ADD CONSTRAINT "assistant_actions_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "assistant_actions" ADD CONSTRAINT "assistant_actions_conversation_id_conversations_id_fk" FOREIGN KEY ("conversation_id") REFERENCES "public"."conversations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "assistant_actions" ADD CONSTRAINT "assistant_actions_message_id_messages_id_fk" FOREIGN KEY ("message_id") REFERENCES "public"."messages"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "assistant_actions_user_idx" ON "assistant_actions" USING btree ("user_id","created_at","id");--> statement-breakpoint
CREATE INDEX "assistant_actions_message_idx" ON "assistant_actions" USING btree ("message_id");--> statement-breakpoint
CREATE INDEX "assistant_actions_pending_idx" ON "assistant_actions" USING btree ("expires_at") WHERE status = 'PENDING';