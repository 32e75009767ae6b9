-- DATA LOSS: forgets who last wrote each task's text, which tool results and summaries carried foreign content, approval previews and MCP taint windows.
DROP TABLE "credential_taints";--> statement-breakpoint
DROP INDEX "tasks_text_author_idx";--> statement-breakpoint
ALTER TABLE "tasks" DROP COLUMN "text_author_id";--> statement-breakpoint
ALTER TABLE "conversations" DROP COLUMN "summary_foreign";--> statement-breakpoint
ALTER TABLE "messages" DROP COLUMN "foreign";--> statement-breakpoint
ALTER TABLE "assistant_actions" DROP COLUMN "preview";--> statement-breakpoint
ALTER TABLE "assistant_actions" DROP COLUMN "foreign";
