-- Full-text search on every searchable type, like documents: generated tsvector columns with GIN
-- indexes. They are not in the drizzle schema on purpose: reads select every declared column, and no
-- read but search needs these (src/modules/search queries them by name).
ALTER TABLE "tasks" ADD COLUMN "search" tsvector GENERATED ALWAYS AS (setweight(to_tsvector('english', "title"), 'A') || setweight(to_tsvector('english', coalesce("notes", '')), 'B')) STORED;--> statement-breakpoint
CREATE INDEX "tasks_search_idx" ON "tasks" USING gin ("search");--> statement-breakpoint
ALTER TABLE "events" ADD COLUMN "search" tsvector GENERATED ALWAYS AS (setweight(to_tsvector('english', "title"), 'A') || setweight(to_tsvector('english', coalesce("description", '')), 'B') || setweight(to_tsvector('english', coalesce("location", '')), 'C')) STORED;--> statement-breakpoint
CREATE INDEX "events_search_idx" ON "events" USING gin ("search");--> statement-breakpoint
ALTER TABLE "journal_entries" ADD COLUMN "search" tsvector GENERATED ALWAYS AS (jsonb_to_tsvector('english', "content", '["string"]')) STORED;--> statement-breakpoint
CREATE INDEX "journal_entries_search_idx" ON "journal_entries" USING gin ("search");
