-- Reversible without data loss: removes the triggers that delete an item's links with it.
DROP TRIGGER "events_relations_cleanup" ON "events";--> statement-breakpoint
DROP TRIGGER "journal_entries_relations_cleanup" ON "journal_entries";--> statement-breakpoint
DROP TRIGGER "documents_relations_cleanup" ON "documents";--> statement-breakpoint
DROP TRIGGER "tasks_relations_cleanup" ON "tasks";--> statement-breakpoint
DROP FUNCTION "delete_relations_of"();
