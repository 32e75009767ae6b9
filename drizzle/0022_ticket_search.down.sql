-- DATA LOSS: links and embeddings of tickets go (the search column is generated, the rest derived).
DROP TRIGGER "tickets_relations_cleanup" ON "tickets";--> statement-breakpoint
DROP TRIGGER "tickets_forget_embeddings" ON "tickets";--> statement-breakpoint
DROP TRIGGER "tickets_embed" ON "tickets";--> statement-breakpoint
DROP INDEX "tickets_search_idx";--> statement-breakpoint
ALTER TABLE "tickets" DROP COLUMN "search";--> statement-breakpoint
DELETE FROM "relations" WHERE "from_type" = 'TICKET' OR "to_type" = 'TICKET';--> statement-breakpoint
DO $$ BEGIN IF to_regclass('public.embeddings') IS NOT NULL THEN DELETE FROM "embeddings" WHERE "entity_type" = 'TICKET'; END IF; END $$;--> statement-breakpoint
DELETE FROM "embed_pending" WHERE "entity_type" = 'TICKET';--> statement-breakpoint
DO $$ BEGIN IF to_regclass('public.embeddings') IS NOT NULL THEN ALTER TABLE "embeddings" ALTER COLUMN "entity_type" SET DATA TYPE text; END IF; END $$;--> statement-breakpoint
ALTER TABLE "embed_pending" ALTER COLUMN "entity_type" SET DATA TYPE text;--> statement-breakpoint
ALTER TABLE "relations" ALTER COLUMN "from_type" SET DATA TYPE text;--> statement-breakpoint
ALTER TABLE "relations" ALTER COLUMN "to_type" SET DATA TYPE text;--> statement-breakpoint
DROP TYPE "public"."searchable_type";--> statement-breakpoint
CREATE TYPE "public"."searchable_type" AS ENUM('TASK', 'DOCUMENT', 'JOURNAL_ENTRY', 'EVENT', 'EMAIL');--> statement-breakpoint
ALTER TABLE "relations" ALTER COLUMN "from_type" SET DATA TYPE "public"."searchable_type" USING "from_type"::"public"."searchable_type";--> statement-breakpoint
ALTER TABLE "relations" ALTER COLUMN "to_type" SET DATA TYPE "public"."searchable_type" USING "to_type"::"public"."searchable_type";--> statement-breakpoint
ALTER TABLE "embed_pending" ALTER COLUMN "entity_type" SET DATA TYPE "public"."searchable_type" USING "entity_type"::"public"."searchable_type";--> statement-breakpoint
DO $$ BEGIN IF to_regclass('public.embeddings') IS NOT NULL THEN ALTER TABLE "embeddings" ALTER COLUMN "entity_type" SET DATA TYPE "public"."searchable_type" USING "entity_type"::"public"."searchable_type"; END IF; END $$;
