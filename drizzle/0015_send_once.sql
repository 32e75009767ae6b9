ALTER TYPE "public"."draft_status" ADD VALUE 'SENDING' BEFORE 'SENT';--> statement-breakpoint
ALTER TABLE "jobs" ADD COLUMN "locked_by" text;