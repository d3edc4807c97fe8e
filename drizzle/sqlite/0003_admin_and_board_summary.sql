-- Accounts can be deactivated; boards can be archived, and keep the summary the board list shows (title, marking, counts, last change), null until first counted.
ALTER TABLE `boards` ADD `marking` text;--> statement-breakpoint
ALTER TABLE `boards` ADD `assessment_count` integer;--> statement-breakpoint
ALTER TABLE `boards` ADD `claim_count` integer;--> statement-breakpoint
ALTER TABLE `boards` ADD `last_change_at` text;--> statement-breakpoint
ALTER TABLE `boards` ADD `archived_at` text;--> statement-breakpoint
ALTER TABLE `boards` ADD `archived_by` text;--> statement-breakpoint
ALTER TABLE `users` ADD `deactivated_at` text;