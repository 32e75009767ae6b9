-- DATA LOSS: drops the links between items (relations), such as a task created from a document.
DROP TABLE "relations";--> statement-breakpoint
DROP TYPE "public"."searchable_type";
