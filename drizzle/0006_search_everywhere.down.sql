-- Reversible without data loss: the search columns are generated from the items' text.
DROP INDEX "journal_entries_search_idx";--> statement-breakpoint
ALTER TABLE "journal_entries" DROP COLUMN "search";--> statement-breakpoint
DROP INDEX "events_search_idx";--> statement-breakpoint
ALTER TABLE "events" DROP COLUMN "search";--> statement-breakpoint
DROP INDEX "tasks_search_idx";--> statement-breakpoint
ALTER TABLE "tasks" DROP COLUMN "search";
