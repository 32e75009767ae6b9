-- DATA LOSS: projects, areas and sections go; tasks lose their project, section and all-day flag.
ALTER TABLE "tasks" DROP CONSTRAINT IF EXISTS "tasks_section_id_project_sections_id_fk";--> statement-breakpoint
ALTER TABLE "tasks" DROP CONSTRAINT IF EXISTS "tasks_project_id_projects_id_fk";--> statement-breakpoint
DROP INDEX IF EXISTS "tasks_project_idx";--> statement-breakpoint
DROP INDEX IF EXISTS "tasks_section_idx";--> statement-breakpoint
ALTER TABLE "tasks" DROP COLUMN IF EXISTS "section_id";--> statement-breakpoint
ALTER TABLE "tasks" DROP COLUMN IF EXISTS "project_id";--> statement-breakpoint
ALTER TABLE "tasks" DROP COLUMN IF EXISTS "due_all_day";--> statement-breakpoint
DROP TABLE IF EXISTS "project_sections";--> statement-breakpoint
DROP TABLE IF EXISTS "projects";--> statement-breakpoint
DROP TABLE IF EXISTS "areas";--> statement-breakpoint
DROP TYPE IF EXISTS "public"."project_status";
