-- Accounts can be deactivated; boards can be archived, and keep the summary the board list shows (title, marking, counts, last change), null until first counted.
ALTER TABLE "boards" ADD COLUMN "marking" text;--> statement-breakpoint
ALTER TABLE "boards" ADD COLUMN "assessment_count" integer;--> statement-breakpoint
ALTER TABLE "boards" ADD COLUMN "claim_count" integer;--> statement-breakpoint
ALTER TABLE "boards" ADD COLUMN "last_change_at" text;--> statement-breakpoint
ALTER TABLE "boards" ADD COLUMN "archived_at" text;--> statement-breakpoint
ALTER TABLE "boards" ADD COLUMN "archived_by" text;--> statement-breakpoint
ALTER TABLE "users" ADD COLUMN "deactivated_at" text;