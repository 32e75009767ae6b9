-- DATA LOSS: drops every table of the first release, so everything Orbit stores: accounts, lists, tasks, events, documents, journal, conversations.
DROP TABLE "api_keys", "email_tokens", "rate_limits", "refresh_tokens", "sessions", "users", "activities", "notifications", "labels", "list_members", "pending_shares", "task_labels", "task_lists", "tasks", "conversations", "messages", "monthly_usage", "usage_records", "events", "invitations", "document_tags", "documents", "journal_entries", "tags";--> statement-breakpoint
DROP TYPE "public"."email_token_kind";--> statement-breakpoint
DROP TYPE "public"."role";--> statement-breakpoint
DROP TYPE "public"."tier";--> statement-breakpoint
DROP TYPE "public"."notification_kind";--> statement-breakpoint
DROP TYPE "public"."list_role";--> statement-breakpoint
DROP TYPE "public"."task_priority";--> statement-breakpoint
DROP TYPE "public"."task_status";--> statement-breakpoint
DROP TYPE "public"."message_role";--> statement-breakpoint
DROP TYPE "public"."rsvp_status";--> statement-breakpoint
DROP TYPE "public"."journal_entry_type";
