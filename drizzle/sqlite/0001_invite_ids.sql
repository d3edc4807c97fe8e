-- Invites get an id that owners list and revoke them by. SQLite adds a NOT NULL
-- column only with a default, so the table is rebuilt, and the invites that
-- exist already each get a random id.
CREATE TABLE `__new_board_invites` (
	`token_hash` text PRIMARY KEY NOT NULL,
	`id` text NOT NULL,
	`board_id` text NOT NULL,
	`role` text NOT NULL,
	`created_by` text NOT NULL,
	`created_at` text NOT NULL,
	`expires_at` text NOT NULL,
	FOREIGN KEY (`board_id`) REFERENCES `boards`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
INSERT INTO `__new_board_invites` (`token_hash`, `id`, `board_id`, `role`, `created_by`, `created_at`, `expires_at`)
SELECT `token_hash`, lower(hex(randomblob(16))), `board_id`, `role`, `created_by`, `created_at`, `expires_at` FROM `board_invites`;
--> statement-breakpoint
DROP TABLE `board_invites`;
--> statement-breakpoint
ALTER TABLE `__new_board_invites` RENAME TO `board_invites`;
--> statement-breakpoint
CREATE UNIQUE INDEX `board_invites_id_unique` ON `board_invites` (`id`);
