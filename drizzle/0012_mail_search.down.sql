-- Reversible without data loss: the email search column is generated, and the triggers only maintain derived rows.
DROP TRIGGER "email_messages_relations_cleanup" ON "email_messages";--> statement-breakpoint
DROP TRIGGER "email_messages_forget_embeddings" ON "email_messages";--> statement-breakpoint
DROP TRIGGER "email_messages_embed" ON "email_messages";--> statement-breakpoint
DROP INDEX "email_messages_search_idx";--> statement-breakpoint
ALTER TABLE "email_messages" DROP COLUMN "search";
