CREATE TABLE "embed_pending" (
	"entity_type" "searchable_type" NOT NULL,
	"entity_id" uuid NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	"scheduled" boolean DEFAULT false NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"last_error" text,
	"failed" boolean DEFAULT false NOT NULL,
	"marked_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "embed_pending_entity_type_entity_id_pk" PRIMARY KEY("entity_type","entity_id")
);
--> statement-breakpoint
CREATE INDEX "embed_pending_unscheduled_idx" ON "embed_pending" USING btree ("marked_at") WHERE not scheduled;--> statement-breakpoint
-- Jobs move to pg-boss (schema pgboss, installed by the migration step after these files). A write
-- now marks its item in embed_pending, and a NOTIFY wakes a replica to schedule it; waiting embed
-- jobs of the old table become marks. Other waiting jobs stay in "jobs" until the server moves them.
CREATE OR REPLACE FUNCTION "enqueue_embedding"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF to_regclass('public.embeddings') IS NULL THEN RETURN NULL; END IF;
  INSERT INTO "embed_pending" ("entity_type", "entity_id") VALUES (TG_ARGV[0]::"searchable_type", NEW."id")
  ON CONFLICT ("entity_type", "entity_id") DO UPDATE SET "version" = "embed_pending"."version" + 1, "scheduled" = false, "attempts" = 0, "last_error" = NULL, "failed" = false, "marked_at" = now();
  PERFORM pg_notify('orbit_embed', '');
  RETURN NULL;
END $$;--> statement-breakpoint
CREATE OR REPLACE FUNCTION "forget_embeddings_of"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF to_regclass('public.embeddings') IS NULL THEN RETURN NULL; END IF;
  EXECUTE 'DELETE FROM embeddings e USING gone g WHERE e.entity_type = $1::searchable_type AND e.entity_id = g.id' USING TG_ARGV[0];
  DELETE FROM "embed_pending" p USING "gone" g WHERE p."entity_type" = TG_ARGV[0]::"searchable_type" AND p."entity_id" = g."id";
  RETURN NULL;
END $$;--> statement-breakpoint
INSERT INTO "embed_pending" ("entity_type", "entity_id")
  SELECT ("payload"->>'type')::"searchable_type", ("payload"->>'id')::uuid FROM "jobs" WHERE "kind" = 'embed' AND "status" = 'queued'
  ON CONFLICT DO NOTHING;--> statement-breakpoint
DELETE FROM "jobs" WHERE "kind" = 'embed';
