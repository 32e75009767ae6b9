CREATE TYPE "public"."closed_reply_policy" AS ENUM('REOPEN', 'NEW_TICKET');--> statement-breakpoint
CREATE TYPE "public"."inbox_accept_from" AS ENUM('ANYONE', 'KNOWN_REQUESTERS', 'ALLOWED_DOMAINS');--> statement-breakpoint
CREATE TYPE "public"."reply_address_mode" AS ENUM('PLUS_ADDRESS', 'HEADERS_ONLY');--> statement-breakpoint
CREATE TABLE "ticket_inboxes" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"board_id" uuid NOT NULL,
	"mail_account_id" uuid NOT NULL,
	"connected_by_id" uuid NOT NULL,
	"enabled" boolean DEFAULT true NOT NULL,
	"reply_address_mode" "reply_address_mode" DEFAULT 'HEADERS_ONLY' NOT NULL,
	"accept_from" "inbox_accept_from" DEFAULT 'ANYONE' NOT NULL,
	"allowed_domains" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"closed_reply_policy" "closed_reply_policy" DEFAULT 'REOPEN' NOT NULL,
	"auto_reply_enabled" boolean DEFAULT false NOT NULL,
	"auto_reply_text" text,
	"ingest_since" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"last_ingested_at" timestamp (3) with time zone,
	"tickets_created" integer DEFAULT 0 NOT NULL,
	"comments_created" integer DEFAULT 0 NOT NULL,
	"last_error" text,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "ticket_mail" (
	"inbox_id" uuid NOT NULL,
	"message_id" text NOT NULL,
	"board_id" uuid NOT NULL,
	"ticket_id" uuid,
	"outbound" boolean DEFAULT false NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "ticket_mail_inbox_id_message_id_pk" PRIMARY KEY("inbox_id","message_id")
);
--> statement-breakpoint
ALTER TABLE "email_drafts" ADD COLUMN "purpose" text;--> statement-breakpoint
ALTER TABLE "email_drafts" ADD COLUMN "in_reply_to_header" text;--> statement-breakpoint
ALTER TABLE "email_drafts" ADD COLUMN "references_header" jsonb;--> statement-breakpoint
ALTER TABLE "email_drafts" ADD COLUMN "reply_to" text;--> statement-breakpoint
ALTER TABLE "email_drafts" ADD COLUMN "headers" jsonb;--> statement-breakpoint
ALTER TABLE "ticket_comments" ADD COLUMN "draft_id" uuid;--> statement-breakpoint
ALTER TABLE "tickets" ADD COLUMN "mail_token" text;--> statement-breakpoint
ALTER TABLE "tickets" ADD COLUMN "email_id" uuid;--> statement-breakpoint
ALTER TABLE "tickets" ADD COLUMN "related_to_id" uuid;--> statement-breakpoint
ALTER TABLE "ticket_inboxes" ADD CONSTRAINT "ticket_inboxes_board_id_boards_id_fk" FOREIGN KEY ("board_id") REFERENCES "public"."boards"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "ticket_inboxes" ADD CONSTRAINT "ticket_inboxes_mail_account_id_mail_accounts_id_fk" FOREIGN KEY ("mail_account_id") REFERENCES "public"."mail_accounts"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "ticket_inboxes" ADD CONSTRAINT "ticket_inboxes_connected_by_id_users_id_fk" FOREIGN KEY ("connected_by_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "ticket_mail" ADD CONSTRAINT "ticket_mail_inbox_id_ticket_inboxes_id_fk" FOREIGN KEY ("inbox_id") REFERENCES "public"."ticket_inboxes"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "ticket_mail" ADD CONSTRAINT "ticket_mail_board_id_boards_id_fk" FOREIGN KEY ("board_id") REFERENCES "public"."boards"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "ticket_mail" ADD CONSTRAINT "ticket_mail_ticket_id_tickets_id_fk" FOREIGN KEY ("ticket_id") REFERENCES "public"."tickets"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "ticket_inboxes_account_key" ON "ticket_inboxes" USING btree ("mail_account_id");--> statement-breakpoint
CREATE INDEX "ticket_inboxes_board_idx" ON "ticket_inboxes" USING btree ("board_id");--> statement-breakpoint
CREATE INDEX "ticket_inboxes_connected_by_idx" ON "ticket_inboxes" USING btree ("connected_by_id");--> statement-breakpoint
CREATE INDEX "ticket_mail_board_message_idx" ON "ticket_mail" USING btree ("board_id","message_id");--> statement-breakpoint
CREATE INDEX "ticket_mail_ticket_idx" ON "ticket_mail" USING btree ("ticket_id");--> statement-breakpoint
ALTER TABLE "ticket_comments" ADD CONSTRAINT "ticket_comments_draft_id_email_drafts_id_fk" FOREIGN KEY ("draft_id") REFERENCES "public"."email_drafts"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "tickets" ADD CONSTRAINT "tickets_email_id_email_messages_id_fk" FOREIGN KEY ("email_id") REFERENCES "public"."email_messages"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "tickets" ADD CONSTRAINT "tickets_related_to_id_tickets_id_fk" FOREIGN KEY ("related_to_id") REFERENCES "public"."tickets"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "ticket_comments_draft_idx" ON "ticket_comments" USING btree ("draft_id");--> statement-breakpoint
CREATE UNIQUE INDEX "tickets_mail_token_key" ON "tickets" USING btree ("mail_token");--> statement-breakpoint
CREATE INDEX "tickets_related_to_idx" ON "tickets" USING btree ("related_to_id");