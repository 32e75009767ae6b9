-- Reversible without data loss: embeddings are derived from the items' text and rebuilt by the jobs after migrating up again.
DROP TRIGGER "events_forget_embeddings" ON "events";--> statement-breakpoint
DROP TRIGGER "journal_entries_forget_embeddings" ON "journal_entries";--> statement-breakpoint
DROP TRIGGER "documents_forget_embeddings" ON "documents";--> statement-breakpoint
DROP TRIGGER "tasks_forget_embeddings" ON "tasks";--> statement-breakpoint
DROP TRIGGER "events_embed" ON "events";--> statement-breakpoint
DROP TRIGGER "journal_entries_embed" ON "journal_entries";--> statement-breakpoint
DROP TRIGGER "documents_embed" ON "documents";--> statement-breakpoint
DROP TRIGGER "tasks_embed" ON "tasks";--> statement-breakpoint
DROP FUNCTION "forget_embeddings_of"();--> statement-breakpoint
DROP FUNCTION "enqueue_embedding"();--> statement-breakpoint
DELETE FROM "jobs" WHERE "kind" = 'embed';--> statement-breakpoint
DROP TABLE IF EXISTS "embeddings";--> statement-breakpoint
DROP EXTENSION IF EXISTS vector;
