-- Invites get an id that owners list and revoke them by; those that exist already each get a random one.
ALTER TABLE "board_invites" ADD COLUMN "id" text;--> statement-breakpoint
UPDATE "board_invites" SET "id" = gen_random_uuid()::text;--> statement-breakpoint
ALTER TABLE "board_invites" ALTER COLUMN "id" SET NOT NULL;--> statement-breakpoint
ALTER TABLE "board_invites" ADD CONSTRAINT "board_invites_id_unique" UNIQUE("id");
