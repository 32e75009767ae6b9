-- Email is searchable like every other type: full text (subject, sender, body), embeddings and
-- links, with the same triggers as the other searchable tables.
ALTER TABLE "email_messages" ADD COLUMN "search" tsvector GENERATED ALWAYS AS (setweight(to_tsvector('english', "subject"), 'A') || setweight(to_tsvector('simple', coalesce("from_name", '') || ' ' || "from_address"), 'B') || setweight(to_tsvector('english', left(coalesce("text", ''), 200000)), 'C')) STORED;--> statement-breakpoint
CREATE INDEX "email_messages_search_idx" ON "email_messages" USING gin ("search");--> statement-breakpoint
CREATE TRIGGER "email_messages_embed" AFTER INSERT OR UPDATE OF "subject", "text" ON "email_messages" FOR EACH ROW EXECUTE FUNCTION "enqueue_embedding"('EMAIL');--> statement-breakpoint
CREATE TRIGGER "email_messages_forget_embeddings" AFTER DELETE ON "email_messages" REFERENCING OLD TABLE AS "gone" FOR EACH STATEMENT EXECUTE FUNCTION "forget_embeddings_of"('EMAIL');--> statement-breakpoint
CREATE TRIGGER "email_messages_relations_cleanup" AFTER DELETE ON "email_messages" REFERENCING OLD TABLE AS "gone" FOR EACH STATEMENT EXECUTE FUNCTION "delete_relations_of"('EMAIL');
