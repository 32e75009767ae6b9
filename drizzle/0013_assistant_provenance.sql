CREATE TABLE "credential_taints" (
	"credential" text PRIMARY KEY NOT NULL,
	"user_id" uuid NOT NULL,
	"until" timestamp (3) with time zone NOT NULL
);
--> statement-breakpoint
ALTER TABLE "tasks" ADD COLUMN "text_author_id" uuid;--> statement-breakpoint
ALTER TABLE "conversations" ADD COLUMN "summary_foreign" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "messages" ADD COLUMN "foreign" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "assistant_actions" ADD COLUMN "foreign" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "assistant_actions" ADD COLUMN "preview" jsonb;--> statement-breakpoint
ALTER TABLE "credential_taints" ADD CONSTRAINT "credential_taints_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "credential_taints_user_idx" ON "credential_taints" USING btree ("user_id");--> statement-breakpoint
ALTER TABLE "tasks" ADD CONSTRAINT "tasks_text_author_id_users_id_fk" FOREIGN KEY ("text_author_id") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "tasks_text_author_idx" ON "tasks" USING btree ("text_author_id");--> statement-breakpoint
-- Until now only the creator wrote a task's text as far as anyone recorded: the creator is its author.
UPDATE "tasks" SET "text_author_id" = "created_by_id";
