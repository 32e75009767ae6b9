-- Semantic search: pgvector when the database has it. On a server without the extension this
-- migration still succeeds and semantic search stays off (semanticIndexStatus says why); the server
-- tries again at every start (src/modules/search/semantic-schema.ts), so installing pgvector later
-- turns it on. The vector column has no fixed size: the index is built per configured dimension.
DO $$
BEGIN
  BEGIN
    CREATE EXTENSION IF NOT EXISTS vector;
  EXCEPTION WHEN OTHERS THEN
    RAISE NOTICE 'pgvector is not available (%): semantic search is off', SQLERRM;
    RETURN;
  END;
  CREATE TABLE IF NOT EXISTS "embeddings" (
    "entity_type" "searchable_type" NOT NULL,
    "entity_id" uuid NOT NULL,
    "chunk" integer NOT NULL,
    "content_hash" text NOT NULL,
    "model" text NOT NULL,
    "dimensions" integer NOT NULL,
    "embedding" vector NOT NULL,
    "updated_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
    PRIMARY KEY ("entity_type", "entity_id", "chunk")
  );
END $$;--> statement-breakpoint
-- Each write enqueues its item's (re)embedding in the writing transaction, once per item while it
-- waits; nothing is queued where there is no vector index to fill.
CREATE FUNCTION "enqueue_embedding"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF to_regclass('public.embeddings') IS NULL THEN RETURN NULL; END IF;
  INSERT INTO "jobs" ("kind", "key", "payload") VALUES ('embed', TG_ARGV[0] || ':' || NEW."id", jsonb_build_object('type', TG_ARGV[0], 'id', NEW."id"))
  ON CONFLICT ("kind", "key") DO UPDATE SET "status" = 'queued', "run_at" = now(), "attempts" = 0, "version" = "jobs"."version" + 1, "last_error" = NULL;
  RETURN NULL;
END $$;--> statement-breakpoint
-- Deleting an item (directly or by a cascade) removes its vectors and its waiting job.
CREATE FUNCTION "forget_embeddings_of"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF to_regclass('public.embeddings') IS NULL THEN RETURN NULL; END IF;
  EXECUTE 'DELETE FROM embeddings e USING gone g WHERE e.entity_type = $1::searchable_type AND e.entity_id = g.id' USING TG_ARGV[0];
  DELETE FROM "jobs" j USING "gone" g WHERE j."kind" = 'embed' AND j."key" = TG_ARGV[0] || ':' || g."id";
  RETURN NULL;
END $$;--> statement-breakpoint
CREATE TRIGGER "tasks_embed" AFTER INSERT OR UPDATE OF "title", "notes" ON "tasks" FOR EACH ROW EXECUTE FUNCTION "enqueue_embedding"('TASK');--> statement-breakpoint
CREATE TRIGGER "documents_embed" AFTER INSERT OR UPDATE OF "title", "content" ON "documents" FOR EACH ROW EXECUTE FUNCTION "enqueue_embedding"('DOCUMENT');--> statement-breakpoint
CREATE TRIGGER "journal_entries_embed" AFTER INSERT OR UPDATE OF "content" ON "journal_entries" FOR EACH ROW EXECUTE FUNCTION "enqueue_embedding"('JOURNAL_ENTRY');--> statement-breakpoint
CREATE TRIGGER "events_embed" AFTER INSERT OR UPDATE OF "title", "description", "location" ON "events" FOR EACH ROW EXECUTE FUNCTION "enqueue_embedding"('EVENT');--> statement-breakpoint
CREATE TRIGGER "tasks_forget_embeddings" AFTER DELETE ON "tasks" REFERENCING OLD TABLE AS "gone" FOR EACH STATEMENT EXECUTE FUNCTION "forget_embeddings_of"('TASK');--> statement-breakpoint
CREATE TRIGGER "documents_forget_embeddings" AFTER DELETE ON "documents" REFERENCING OLD TABLE AS "gone" FOR EACH STATEMENT EXECUTE FUNCTION "forget_embeddings_of"('DOCUMENT');--> statement-breakpoint
CREATE TRIGGER "journal_entries_forget_embeddings" AFTER DELETE ON "journal_entries" REFERENCING OLD TABLE AS "gone" FOR EACH STATEMENT EXECUTE FUNCTION "forget_embeddings_of"('JOURNAL_ENTRY');--> statement-breakpoint
CREATE TRIGGER "events_forget_embeddings" AFTER DELETE ON "events" REFERENCING OLD TABLE AS "gone" FOR EACH STATEMENT EXECUTE FUNCTION "forget_embeddings_of"('EVENT');
