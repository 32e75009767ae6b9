-- DATA LOSS: events not yet delivered from the outbox (transient, kept at most BUS_RETENTION_S) are dropped; notifications forget their writing transaction (replay orders by seq again).
DROP INDEX "notifications_user_txid_idx";--> statement-breakpoint
ALTER TABLE "notifications" DROP COLUMN "txid";--> statement-breakpoint
DROP TABLE "bus_events";
