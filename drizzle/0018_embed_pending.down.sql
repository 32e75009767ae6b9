-- Reversible without data loss: pending embeddings and the mail jobs waiting in pg-boss go back to the old job table, and the triggers write it again (pg-boss's schema is left in place, unused).
CREATE OR REPLACE FUNCTION "enqueue_embedding"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF to_regclass('public.embeddings') IS NULL THEN RETURN NULL; END IF;
  INSERT INTO "jobs" ("kind", "key", "payload") VALUES ('embed', TG_ARGV[0] || ':' || NEW."id", jsonb_build_object('type', TG_ARGV[0], 'id', NEW."id"))
  ON CONFLICT ("kind", "key") DO UPDATE SET "status" = 'queued', "run_at" = now(), "attempts" = 0, "version" = "jobs"."version" + 1, "last_error" = NULL;
  RETURN NULL;
END $$;--> statement-breakpoint
CREATE OR REPLACE FUNCTION "forget_embeddings_of"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF to_regclass('public.embeddings') IS NULL THEN RETURN NULL; END IF;
  EXECUTE 'DELETE FROM embeddings e USING gone g WHERE e.entity_type = $1::searchable_type AND e.entity_id = g.id' USING TG_ARGV[0];
  DELETE FROM "jobs" j USING "gone" g WHERE j."kind" = 'embed' AND j."key" = TG_ARGV[0] || ':' || g."id";
  RETURN NULL;
END $$;--> statement-breakpoint
INSERT INTO "jobs" ("kind", "key", "payload")
  SELECT 'embed', "entity_type"::text || ':' || "entity_id", jsonb_build_object('type', "entity_type", 'id', "entity_id") FROM "embed_pending"
  ON CONFLICT DO NOTHING;--> statement-breakpoint
DO $$
BEGIN
  IF to_regclass('pgboss.job') IS NOT NULL THEN
    INSERT INTO "jobs" ("kind", "key", "payload", "group_key")
      SELECT "name", "data"->>'key', "data"->'payload', "data"->>'group' FROM pgboss.job
      WHERE "name" IN ('mail-send', 'mail-sync') AND "state" < 'completed'
      ON CONFLICT DO NOTHING;
  END IF;
END $$;--> statement-breakpoint
DROP TABLE "embed_pending";
