CREATE TYPE "public"."capture_source" AS ENUM('APP', 'VOICE', 'EMAIL', 'SHARE', 'API', 'ASSISTANT');--> statement-breakpoint
CREATE TYPE "public"."capture_status" AS ENUM('NEW', 'TRANSCRIBING', 'TRIAGING', 'NEEDS_REVIEW', 'DONE', 'ARCHIVED', 'FAILED');--> statement-breakpoint
CREATE TYPE "public"."suggestion_kind" AS ENUM('TASK', 'EVENT', 'JOURNAL_ENTRY', 'DOCUMENT');--> statement-breakpoint
CREATE TYPE "public"."suggestion_status" AS ENUM('PROPOSED', 'ACCEPTED', 'REJECTED', 'FAILED');--> statement-breakpoint
CREATE TABLE "capture_suggestions" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"capture_id" uuid NOT NULL,
	"position" integer NOT NULL,
	"kind" "suggestion_kind" NOT NULL,
	"status" "suggestion_status" NOT NULL,
	"draft" jsonb NOT NULL,
	"confidence" real,
	"source_text" text,
	"source_start" real,
	"source_end" real,
	"result_type" text,
	"result_id" uuid,
	"error" text,
	"decided_at" timestamp (3) with time zone,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "captures" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"user_id" uuid NOT NULL,
	"source" "capture_source" NOT NULL,
	"status" "capture_status" NOT NULL,
	"text" text,
	"error" text,
	"client_key" text,
	"email_id" uuid,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"processed_at" timestamp (3) with time zone
);
--> statement-breakpoint
ALTER TABLE "capture_suggestions" ADD CONSTRAINT "capture_suggestions_capture_id_captures_id_fk" FOREIGN KEY ("capture_id") REFERENCES "public"."captures"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "captures" ADD CONSTRAINT "captures_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "captures" ADD CONSTRAINT "captures_email_id_email_messages_id_fk" FOREIGN KEY ("email_id") REFERENCES "public"."email_messages"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "capture_suggestions_capture_idx" ON "capture_suggestions" USING btree ("capture_id","position");--> statement-breakpoint
CREATE INDEX "captures_user_created_idx" ON "captures" USING btree ("user_id","created_at","id");--> statement-breakpoint
CREATE UNIQUE INDEX "captures_user_client_key_key" ON "captures" USING btree ("user_id","client_key") WHERE "captures"."client_key" is not null;--> statement-breakpoint
CREATE UNIQUE INDEX "captures_user_email_key" ON "captures" USING btree ("user_id","email_id") WHERE "captures"."email_id" is not null;