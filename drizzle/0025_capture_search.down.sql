-- DATA LOSS: links and embeddings of captures go (the search column is generated, the rest derived).
DROP TRIGGER "captures_relations_cleanup" ON "captures";--> statement-breakpoint
DROP TRIGGER "captures_forget_embeddings" ON "captures";--> statement-breakpoint
DROP TRIGGER "captures_embed" ON "captures";--> statement-breakpoint
DROP INDEX "captures_search_idx";--> statement-breakpoint
ALTER TABLE "captures" DROP COLUMN "search";--> statement-breakpoint
DELETE FROM "relations" WHERE "from_type" = 'CAPTURE' OR "to_type" = 'CAPTURE';--> statement-breakpoint
DO $$ BEGIN IF to_regclass('public.embeddings') IS NOT NULL THEN DELETE FROM "embeddings" WHERE "entity_type" = 'CAPTURE'; END IF; END $$;--> statement-breakpoint
DELETE FROM "embed_pending" WHERE "entity_type" = 'CAPTURE';--> statement-breakpoint
DO $$ BEGIN IF to_regclass('public.embeddings') IS NOT NULL THEN ALTER TABLE "embeddings" ALTER COLUMN "entity_type" SET DATA TYPE text; END IF; END $$;--> statement-breakpoint
ALTER TABLE "embed_pending" ALTER COLUMN "entity_type" SET DATA TYPE text;--> statement-breakpoint
ALTER TABLE "relations" ALTER COLUMN "from_type" SET DATA TYPE text;--> statement-breakpoint
ALTER TABLE "relations" ALTER COLUMN "to_type" SET DATA TYPE text;--> statement-breakpoint
DROP TYPE "public"."searchable_type";--> statement-breakpoint
CREATE TYPE "public"."searchable_type" AS ENUM('TASK', 'DOCUMENT', 'JOURNAL_ENTRY', 'EVENT', 'EMAIL', 'TICKET');--> statement-breakpoint
ALTER TABLE "relations" ALTER COLUMN "from_type" SET DATA TYPE "public"."searchable_type" USING "from_type"::"public"."searchable_type";--> statement-breakpoint
ALTER TABLE "relations" ALTER COLUMN "to_type" SET DATA TYPE "public"."searchable_type" USING "to_type"::"public"."searchable_type";--> statement-breakpoint
ALTER TABLE "embed_pending" ALTER COLUMN "entity_type" SET DATA TYPE "public"."searchable_type" USING "entity_type"::"public"."searchable_type";--> statement-breakpoint
DO $$ BEGIN IF to_regclass('public.embeddings') IS NOT NULL THEN ALTER TABLE "embeddings" ALTER COLUMN "entity_type" SET DATA TYPE "public"."searchable_type" USING "entity_type"::"public"."searchable_type"; END IF; END $$;
