CREATE TABLE "bus_events" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"txid" "xid8" DEFAULT pg_current_xact_id() NOT NULL,
	"payload" jsonb NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "notifications" ADD COLUMN "txid" "xid8" DEFAULT pg_current_xact_id() NOT NULL;--> statement-breakpoint
CREATE INDEX "bus_events_txid_idx" ON "bus_events" USING btree ("txid","id");--> statement-breakpoint
CREATE INDEX "notifications_user_txid_idx" ON "notifications" USING btree ("user_id","txid","seq");