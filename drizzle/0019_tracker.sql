CREATE TYPE "public"."auto_assign_mode" AS ENUM('OFF', 'ROUND_ROBIN', 'BALANCED');--> statement-breakpoint
CREATE TYPE "public"."comment_visibility" AS ENUM('PUBLIC', 'INTERNAL');--> statement-breakpoint
CREATE TYPE "public"."state_category" AS ENUM('BACKLOG', 'UNSTARTED', 'STARTED', 'COMPLETED', 'CANCELED');--> statement-breakpoint
CREATE TYPE "public"."ticket_channel" AS ENUM('APP', 'EMAIL', 'PUBLIC_FORM', 'ASSISTANT');--> statement-breakpoint
CREATE TYPE "public"."triage_status" AS ENUM('PENDING', 'SNOOZED', 'ACCEPTED', 'DECLINED', 'DUPLICATE');--> statement-breakpoint
CREATE TYPE "public"."wip_policy" AS ENUM('WARN', 'BLOCK');--> statement-breakpoint
ALTER TYPE "public"."notification_kind" ADD VALUE 'TICKET_ASSIGNED';--> statement-breakpoint
ALTER TYPE "public"."notification_kind" ADD VALUE 'TICKET_RECEIVED';--> statement-breakpoint
ALTER TYPE "public"."notification_kind" ADD VALUE 'TICKET_REPLIED';--> statement-breakpoint
ALTER TYPE "public"."notification_kind" ADD VALUE 'TICKET_INBOX_FAILED';--> statement-breakpoint
CREATE TABLE "board_former_keys" (
	"board_id" uuid NOT NULL,
	"key" text NOT NULL,
	"retired_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "board_former_keys_board_id_key_pk" PRIMARY KEY("board_id","key")
);
--> statement-breakpoint
CREATE TABLE "board_labels" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"board_id" uuid NOT NULL,
	"name" text NOT NULL,
	"color" text,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "board_members" (
	"board_id" uuid NOT NULL,
	"user_id" uuid NOT NULL,
	"role" "list_role" NOT NULL,
	"accepts_assignments" boolean DEFAULT true NOT NULL,
	"last_assigned_at" timestamp (3) with time zone,
	"added_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "board_members_board_id_user_id_pk" PRIMARY KEY("board_id","user_id")
);
--> statement-breakpoint
CREATE TABLE "board_states" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"board_id" uuid NOT NULL,
	"name" text NOT NULL,
	"color" text,
	"category" "state_category" NOT NULL,
	"position" integer NOT NULL,
	"wip_limit" integer,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "boards" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"owner_id" uuid NOT NULL,
	"key" text NOT NULL,
	"name" text NOT NULL,
	"description" text,
	"default_state_id" uuid,
	"triage_enabled" boolean DEFAULT false NOT NULL,
	"auto_assign" "auto_assign_mode" DEFAULT 'OFF' NOT NULL,
	"wip_policy" "wip_policy" DEFAULT 'WARN' NOT NULL,
	"next_number" integer DEFAULT 1 NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp (3) with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "ticket_comments" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"ticket_id" uuid NOT NULL,
	"body" text NOT NULL,
	"visibility" "comment_visibility" NOT NULL,
	"channel" "ticket_channel" NOT NULL,
	"author_id" uuid,
	"requester_email" text,
	"requester_name" text,
	"delivery_status" "draft_status",
	"delivery_error" text,
	"message_id" text,
	"email_id" uuid,
	"created_at" timestamp (3) with time zone DEFAULT clock_timestamp() NOT NULL,
	"edited_at" timestamp (3) with time zone
);
--> statement-breakpoint
CREATE TABLE "ticket_labels" (
	"ticket_id" uuid NOT NULL,
	"label_id" uuid NOT NULL,
	CONSTRAINT "ticket_labels_ticket_id_label_id_pk" PRIMARY KEY("ticket_id","label_id")
);
--> statement-breakpoint
CREATE TABLE "ticket_participants" (
	"ticket_id" uuid NOT NULL,
	"email" text NOT NULL,
	"name" text,
	"added_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "ticket_participants_ticket_id_email_pk" PRIMARY KEY("ticket_id","email")
);
--> statement-breakpoint
CREATE TABLE "tickets" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"board_id" uuid NOT NULL,
	"number" integer NOT NULL,
	"title" text NOT NULL,
	"description" text,
	"state_id" uuid,
	"triage_status" "triage_status",
	"snoozed_until" timestamp (3) with time zone,
	"duplicate_of_id" uuid,
	"priority" "task_priority" DEFAULT 'MEDIUM' NOT NULL,
	"rank" text COLLATE "C" DEFAULT '' NOT NULL,
	"assignee_id" uuid,
	"created_by_id" uuid,
	"requester_email" text,
	"requester_name" text,
	"channel" "ticket_channel" NOT NULL,
	"confirmed" boolean DEFAULT true NOT NULL,
	"first_response_at" timestamp (3) with time zone,
	"last_activity_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"completed_at" timestamp (3) with time zone,
	"canceled_at" timestamp (3) with time zone,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp (3) with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "activities" ADD COLUMN "board_id" uuid;--> statement-breakpoint
ALTER TABLE "board_former_keys" ADD CONSTRAINT "board_former_keys_board_id_boards_id_fk" FOREIGN KEY ("board_id") REFERENCES "public"."boards"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "board_labels" ADD CONSTRAINT "board_labels_board_id_boards_id_fk" FOREIGN KEY ("board_id") REFERENCES "public"."boards"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "board_members" ADD CONSTRAINT "board_members_board_id_boards_id_fk" FOREIGN KEY ("board_id") REFERENCES "public"."boards"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "board_members" ADD CONSTRAINT "board_members_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "board_states" ADD CONSTRAINT "board_states_board_id_boards_id_fk" FOREIGN KEY ("board_id") REFERENCES "public"."boards"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "boards" ADD CONSTRAINT "boards_owner_id_users_id_fk" FOREIGN KEY ("owner_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "boards" ADD CONSTRAINT "boards_default_state_id_board_states_id_fk" FOREIGN KEY ("default_state_id") REFERENCES "public"."board_states"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "ticket_comments" ADD CONSTRAINT "ticket_comments_ticket_id_tickets_id_fk" FOREIGN KEY ("ticket_id") REFERENCES "public"."tickets"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "ticket_comments" ADD CONSTRAINT "ticket_comments_author_id_users_id_fk" FOREIGN KEY ("author_id") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "ticket_comments" ADD CONSTRAINT "ticket_comments_email_id_email_messages_id_fk" FOREIGN KEY ("email_id") REFERENCES "public"."email_messages"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "ticket_labels" ADD CONSTRAINT "ticket_labels_ticket_id_tickets_id_fk" FOREIGN KEY ("ticket_id") REFERENCES "public"."tickets"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "ticket_labels" ADD CONSTRAINT "ticket_labels_label_id_board_labels_id_fk" FOREIGN KEY ("label_id") REFERENCES "public"."board_labels"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "ticket_participants" ADD CONSTRAINT "ticket_participants_ticket_id_tickets_id_fk" FOREIGN KEY ("ticket_id") REFERENCES "public"."tickets"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "tickets" ADD CONSTRAINT "tickets_board_id_boards_id_fk" FOREIGN KEY ("board_id") REFERENCES "public"."boards"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "tickets" ADD CONSTRAINT "tickets_state_id_board_states_id_fk" FOREIGN KEY ("state_id") REFERENCES "public"."board_states"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "tickets" ADD CONSTRAINT "tickets_duplicate_of_id_tickets_id_fk" FOREIGN KEY ("duplicate_of_id") REFERENCES "public"."tickets"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "tickets" ADD CONSTRAINT "tickets_assignee_id_users_id_fk" FOREIGN KEY ("assignee_id") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "tickets" ADD CONSTRAINT "tickets_created_by_id_users_id_fk" FOREIGN KEY ("created_by_id") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "board_labels_board_name_key" ON "board_labels" USING btree ("board_id",lower("name"));--> statement-breakpoint
CREATE INDEX "board_members_user_idx" ON "board_members" USING btree ("user_id");--> statement-breakpoint
CREATE INDEX "board_states_board_idx" ON "board_states" USING btree ("board_id","position");--> statement-breakpoint
CREATE UNIQUE INDEX "boards_owner_key_key" ON "boards" USING btree ("owner_id","key");--> statement-breakpoint
CREATE INDEX "ticket_comments_ticket_idx" ON "ticket_comments" USING btree ("ticket_id","created_at","id");--> statement-breakpoint
CREATE INDEX "ticket_comments_author_idx" ON "ticket_comments" USING btree ("author_id");--> statement-breakpoint
CREATE INDEX "ticket_comments_message_idx" ON "ticket_comments" USING btree ("message_id");--> statement-breakpoint
CREATE INDEX "ticket_comments_email_idx" ON "ticket_comments" USING btree ("email_id");--> statement-breakpoint
CREATE INDEX "ticket_labels_label_idx" ON "ticket_labels" USING btree ("label_id");--> statement-breakpoint
CREATE UNIQUE INDEX "tickets_board_number_key" ON "tickets" USING btree ("board_id","number");--> statement-breakpoint
CREATE UNIQUE INDEX "tickets_state_rank_key" ON "tickets" USING btree ("state_id","rank") WHERE "tickets"."state_id" is not null;--> statement-breakpoint
CREATE INDEX "tickets_board_created_idx" ON "tickets" USING btree ("board_id","created_at","id");--> statement-breakpoint
CREATE INDEX "tickets_board_updated_idx" ON "tickets" USING btree ("board_id","updated_at","id");--> statement-breakpoint
CREATE INDEX "tickets_board_activity_idx" ON "tickets" USING btree ("board_id","last_activity_at","id");--> statement-breakpoint
CREATE INDEX "tickets_board_triage_idx" ON "tickets" USING btree ("board_id","created_at","id") WHERE "tickets"."triage_status" in ('PENDING', 'SNOOZED');--> statement-breakpoint
CREATE INDEX "tickets_assignee_idx" ON "tickets" USING btree ("assignee_id");--> statement-breakpoint
CREATE INDEX "tickets_created_by_idx" ON "tickets" USING btree ("created_by_id");--> statement-breakpoint
CREATE INDEX "tickets_duplicate_of_idx" ON "tickets" USING btree ("duplicate_of_id");--> statement-breakpoint
CREATE INDEX "tickets_requester_idx" ON "tickets" USING btree ("board_id","requester_email");--> statement-breakpoint
CREATE INDEX "activities_board_idx" ON "activities" USING btree ("board_id","created_at","id");