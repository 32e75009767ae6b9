-- DATA LOSS: drops the boards' public forms and the requesters' ticket links.
DROP TABLE "public_ticket_tokens";--> statement-breakpoint
DROP TABLE "public_forms";
