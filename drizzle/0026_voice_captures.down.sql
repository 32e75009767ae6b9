-- DATA LOSS: deletes staged uploads with their bytes (and so voice captures' audio), the transcripts,
-- the month's audio seconds and the CAPTURE_READY notifications.
DROP INDEX IF EXISTS "captures_audio_purge_idx";--> statement-breakpoint
ALTER TABLE "captures" DROP CONSTRAINT IF EXISTS "captures_upload_id_staged_uploads_id_fk";--> statement-breakpoint
ALTER TABLE "captures" DROP COLUMN "upload_id";--> statement-breakpoint
ALTER TABLE "captures" DROP COLUMN "audio_content_type";--> statement-breakpoint
ALTER TABLE "captures" DROP COLUMN "audio_size";--> statement-breakpoint
ALTER TABLE "captures" DROP COLUMN "audio_duration";--> statement-breakpoint
ALTER TABLE "captures" DROP COLUMN "audio_purge_at";--> statement-breakpoint
ALTER TABLE "captures" DROP COLUMN "language";--> statement-breakpoint
ALTER TABLE "captures" DROP COLUMN "transcript";--> statement-breakpoint
ALTER TABLE "monthly_usage" DROP COLUMN "audio_seconds_used";--> statement-breakpoint
ALTER TABLE "monthly_usage" DROP COLUMN "voice_captures";--> statement-breakpoint
DROP TABLE "upload_chunks";--> statement-breakpoint
DROP TABLE "staged_uploads";--> statement-breakpoint
DROP TYPE "public"."staged_upload_status";--> statement-breakpoint
DROP TYPE "public"."upload_purpose";--> statement-breakpoint
DELETE FROM "notifications" WHERE "kind" = 'CAPTURE_READY';--> statement-breakpoint
ALTER TYPE "public"."notification_kind" RENAME TO "notification_kind_old";--> statement-breakpoint
CREATE TYPE "public"."notification_kind" AS ENUM('TASK_ASSIGNED', 'TASK_LIST_SHARED', 'EVENT_INVITATION', 'INVITATION_RESPONSE', 'USAGE_LIMIT_WARNING', 'SECURITY_ALERT', 'EMAIL_LIMIT_REACHED', 'ASSISTANT_ACTION_PENDING', 'EMAIL_RECEIVED', 'TICKET_ASSIGNED', 'TICKET_RECEIVED', 'TICKET_REPLIED', 'TICKET_INBOX_FAILED');--> statement-breakpoint
ALTER TABLE "notifications" ALTER COLUMN "kind" SET DATA TYPE "public"."notification_kind" USING "kind"::text::"public"."notification_kind";--> statement-breakpoint
DROP TYPE "public"."notification_kind_old";
