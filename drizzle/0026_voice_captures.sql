CREATE TYPE "public"."staged_upload_status" AS ENUM('WAITING', 'RECEIVED', 'USED', 'EXPIRED', 'REJECTED');--> statement-breakpoint
CREATE TYPE "public"."upload_purpose" AS ENUM('CAPTURE_AUDIO', 'CALENDAR_IMPORT');--> statement-breakpoint
ALTER TYPE "public"."notification_kind" ADD VALUE 'CAPTURE_READY';--> statement-breakpoint
CREATE TABLE "staged_uploads" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"user_id" uuid NOT NULL,
	"purpose" "upload_purpose" NOT NULL,
	"content_type" text NOT NULL,
	"filename" text,
	"max_bytes" integer NOT NULL,
	"size" integer,
	"status" "staged_upload_status" NOT NULL,
	"error" text,
	"token_hash" text NOT NULL,
	"claimed_at" timestamp (3) with time zone,
	"expires_at" timestamp (3) with time zone NOT NULL,
	"duration_seconds" real,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"received_at" timestamp (3) with time zone,
	"used_at" timestamp (3) with time zone,
	CONSTRAINT "staged_uploads_tokenHash_unique" UNIQUE("token_hash")
);
--> statement-breakpoint
CREATE TABLE "upload_chunks" (
	"upload_id" uuid NOT NULL,
	"seq" integer NOT NULL,
	"bytes" "bytea" NOT NULL,
	CONSTRAINT "upload_chunks_upload_id_seq_pk" PRIMARY KEY("upload_id","seq")
);
--> statement-breakpoint
ALTER TABLE "captures" ADD COLUMN "upload_id" uuid;--> statement-breakpoint
ALTER TABLE "captures" ADD COLUMN "audio_content_type" text;--> statement-breakpoint
ALTER TABLE "captures" ADD COLUMN "audio_size" integer;--> statement-breakpoint
ALTER TABLE "captures" ADD COLUMN "audio_duration" real;--> statement-breakpoint
ALTER TABLE "captures" ADD COLUMN "audio_purge_at" timestamp (3) with time zone;--> statement-breakpoint
ALTER TABLE "captures" ADD COLUMN "language" text;--> statement-breakpoint
ALTER TABLE "captures" ADD COLUMN "transcript" jsonb;--> statement-breakpoint
ALTER TABLE "monthly_usage" ADD COLUMN "audio_seconds_used" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "monthly_usage" ADD COLUMN "voice_captures" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "staged_uploads" ADD CONSTRAINT "staged_uploads_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "upload_chunks" ADD CONSTRAINT "upload_chunks_upload_id_staged_uploads_id_fk" FOREIGN KEY ("upload_id") REFERENCES "public"."staged_uploads"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "staged_uploads_user_idx" ON "staged_uploads" USING btree ("user_id","status");--> statement-breakpoint
CREATE INDEX "staged_uploads_created_idx" ON "staged_uploads" USING btree ("created_at");--> statement-breakpoint
ALTER TABLE "captures" ADD CONSTRAINT "captures_upload_id_staged_uploads_id_fk" FOREIGN KEY ("upload_id") REFERENCES "public"."staged_uploads"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "captures_audio_purge_idx" ON "captures" USING btree ("audio_purge_at") WHERE "captures"."upload_id" is not null;