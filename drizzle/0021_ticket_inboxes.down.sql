-- DATA LOSS: drops the ticket inboxes and their message log, the tickets' mail tokens and relations,
-- and the link of comments to their outbound mail (the drafts stay, as ordinary drafts).
DROP INDEX "tickets_related_to_idx";--> statement-breakpoint
DROP INDEX "tickets_mail_token_key";--> statement-breakpoint
DROP INDEX "ticket_comments_draft_idx";--> statement-breakpoint
ALTER TABLE "tickets" DROP CONSTRAINT "tickets_related_to_id_tickets_id_fk";--> statement-breakpoint
ALTER TABLE "tickets" DROP CONSTRAINT "tickets_email_id_email_messages_id_fk";--> statement-breakpoint
ALTER TABLE "tickets" DROP COLUMN "email_id";--> statement-breakpoint
ALTER TABLE "ticket_comments" DROP CONSTRAINT "ticket_comments_draft_id_email_drafts_id_fk";--> statement-breakpoint
ALTER TABLE "tickets" DROP COLUMN "related_to_id";--> statement-breakpoint
ALTER TABLE "tickets" DROP COLUMN "mail_token";--> statement-breakpoint
ALTER TABLE "ticket_comments" DROP COLUMN "draft_id";--> statement-breakpoint
ALTER TABLE "email_drafts" DROP COLUMN "headers";--> statement-breakpoint
ALTER TABLE "email_drafts" DROP COLUMN "reply_to";--> statement-breakpoint
ALTER TABLE "email_drafts" DROP COLUMN "references_header";--> statement-breakpoint
ALTER TABLE "email_drafts" DROP COLUMN "in_reply_to_header";--> statement-breakpoint
ALTER TABLE "email_drafts" DROP COLUMN "purpose";--> statement-breakpoint
DROP TABLE "ticket_mail";--> statement-breakpoint
DROP TABLE "ticket_inboxes";--> statement-breakpoint
DROP TYPE "public"."reply_address_mode";--> statement-breakpoint
DROP TYPE "public"."inbox_accept_from";--> statement-breakpoint
DROP TYPE "public"."closed_reply_policy";
