-- Tickets are searchable like every other type: full text (identifier number, title, description),
-- embeddings and links, with the same triggers as the other searchable tables.
ALTER TYPE "public"."searchable_type" ADD VALUE 'TICKET';--> statement-breakpoint
ALTER TABLE "tickets" ADD COLUMN "search" tsvector GENERATED ALWAYS AS (setweight(to_tsvector('english', "title"), 'A') || setweight(to_tsvector('english', left(coalesce("description", ''), 200000)), 'B')) STORED;--> statement-breakpoint
CREATE INDEX "tickets_search_idx" ON "tickets" USING gin ("search");--> statement-breakpoint
CREATE TRIGGER "tickets_embed" AFTER INSERT OR UPDATE OF "title", "description" ON "tickets" FOR EACH ROW EXECUTE FUNCTION "enqueue_embedding"('TICKET');--> statement-breakpoint
CREATE TRIGGER "tickets_forget_embeddings" AFTER DELETE ON "tickets" REFERENCING OLD TABLE AS "gone" FOR EACH STATEMENT EXECUTE FUNCTION "forget_embeddings_of"('TICKET');--> statement-breakpoint
CREATE TRIGGER "tickets_relations_cleanup" AFTER DELETE ON "tickets" REFERENCING OLD TABLE AS "gone" FOR EACH STATEMENT EXECUTE FUNCTION "delete_relations_of"('TICKET');
