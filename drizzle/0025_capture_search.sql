-- Captures are searchable like every other type: full text of their text, embeddings and links, with
-- the same triggers as the other searchable tables.
ALTER TYPE "public"."searchable_type" ADD VALUE 'CAPTURE';--> statement-breakpoint
ALTER TABLE "captures" ADD COLUMN "search" tsvector GENERATED ALWAYS AS (to_tsvector('english', left(coalesce("text", ''), 200000))) STORED;--> statement-breakpoint
CREATE INDEX "captures_search_idx" ON "captures" USING gin ("search");--> statement-breakpoint
CREATE TRIGGER "captures_embed" AFTER INSERT OR UPDATE OF "text" ON "captures" FOR EACH ROW EXECUTE FUNCTION "enqueue_embedding"('CAPTURE');--> statement-breakpoint
CREATE TRIGGER "captures_forget_embeddings" AFTER DELETE ON "captures" REFERENCING OLD TABLE AS "gone" FOR EACH STATEMENT EXECUTE FUNCTION "forget_embeddings_of"('CAPTURE');--> statement-breakpoint
CREATE TRIGGER "captures_relations_cleanup" AFTER DELETE ON "captures" REFERENCING OLD TABLE AS "gone" FOR EACH STATEMENT EXECUTE FUNCTION "delete_relations_of"('CAPTURE');
