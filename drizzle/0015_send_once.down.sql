-- Reversible without data loss: drafts being sent go back to QUEUED (the older code sends them again), jobs forget which worker holds them.
UPDATE "email_drafts" SET "status" = 'QUEUED' WHERE "status" = 'SENDING';--> statement-breakpoint
ALTER TYPE "public"."draft_status" RENAME TO "draft_status_old";--> statement-breakpoint
CREATE TYPE "public"."draft_status" AS ENUM('DRAFT', 'QUEUED', 'SENT', 'FAILED');--> statement-breakpoint
ALTER TABLE "email_drafts" ALTER COLUMN "status" DROP DEFAULT;--> statement-breakpoint
ALTER TABLE "email_drafts" ALTER COLUMN "status" TYPE "public"."draft_status" USING "status"::text::"public"."draft_status";--> statement-breakpoint
ALTER TABLE "email_drafts" ALTER COLUMN "status" SET DEFAULT 'DRAFT';--> statement-breakpoint
DROP TYPE "public"."draft_status_old";--> statement-breakpoint
ALTER TABLE "jobs" DROP COLUMN "locked_by";
