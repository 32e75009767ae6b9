-- Reversible without data loss: deleting an invitee's account deletes their invitations again instead of keeping them by address.
ALTER TABLE "invitations" DROP CONSTRAINT "invitations_invitee_id_users_id_fk";--> statement-breakpoint
ALTER TABLE "invitations" ADD CONSTRAINT "invitations_invitee_id_users_id_fk" FOREIGN KEY ("invitee_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;
