-- An item's links go with it, however it is deleted (directly, or by a cascade from its list or its
-- user): one statement-level trigger per searchable table.
CREATE FUNCTION "delete_relations_of"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM "relations" r USING "gone" g
   WHERE (r."from_type" = TG_ARGV[0]::"searchable_type" AND r."from_id" = g."id")
      OR (r."to_type" = TG_ARGV[0]::"searchable_type" AND r."to_id" = g."id");
  RETURN NULL;
END $$;--> statement-breakpoint
CREATE TRIGGER "tasks_relations_cleanup" AFTER DELETE ON "tasks" REFERENCING OLD TABLE AS "gone" FOR EACH STATEMENT EXECUTE FUNCTION "delete_relations_of"('TASK');--> statement-breakpoint
CREATE TRIGGER "documents_relations_cleanup" AFTER DELETE ON "documents" REFERENCING OLD TABLE AS "gone" FOR EACH STATEMENT EXECUTE FUNCTION "delete_relations_of"('DOCUMENT');--> statement-breakpoint
CREATE TRIGGER "journal_entries_relations_cleanup" AFTER DELETE ON "journal_entries" REFERENCING OLD TABLE AS "gone" FOR EACH STATEMENT EXECUTE FUNCTION "delete_relations_of"('JOURNAL_ENTRY');--> statement-breakpoint
CREATE TRIGGER "events_relations_cleanup" AFTER DELETE ON "events" REFERENCING OLD TABLE AS "gone" FOR EACH STATEMENT EXECUTE FUNCTION "delete_relations_of"('EVENT');
