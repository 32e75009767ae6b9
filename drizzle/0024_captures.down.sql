-- DATA LOSS: captures and their suggestions go (the tasks, events, notes and documents accepted from them stay).
DROP TABLE IF EXISTS "capture_suggestions";--> statement-breakpoint
DROP TABLE IF EXISTS "captures";--> statement-breakpoint
DROP TYPE IF EXISTS "public"."suggestion_status";--> statement-breakpoint
DROP TYPE IF EXISTS "public"."suggestion_kind";--> statement-breakpoint
DROP TYPE IF EXISTS "public"."capture_status";--> statement-breakpoint
DROP TYPE IF EXISTS "public"."capture_source";
