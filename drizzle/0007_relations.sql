CREATE TYPE "public"."searchable_type" AS ENUM('TASK', 'DOCUMENT', 'JOURNAL_ENTRY', 'EVENT', 'EMAIL');--> statement-breakpoint
CREATE TABLE "relations" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"user_id" uuid NOT NULL,
	"from_type" "searchable_type" NOT NULL,
	"from_id" uuid NOT NULL,
	"to_type" "searchable_type" NOT NULL,
	"to_id" uuid NOT NULL,
	"kind" text NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT clock_timestamp() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "relations" ADD CONSTRAINT "relations_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "relations_link_key" ON "relations" USING btree ("user_id","from_type","from_id","to_type","to_id","kind");--> statement-breakpoint
CREATE INDEX "relations_from_idx" ON "relations" USING btree ("from_type","from_id");--> statement-breakpoint
CREATE INDEX "relations_to_idx" ON "relations" USING btree ("to_type","to_id");