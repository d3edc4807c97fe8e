-- Board history: the log's rows are kept after compaction, a board keeps
-- several checkpoints, and who changed which assessment field is recorded.
-- A checkpoint made before this deleted the rows it covered, so its board's
-- history starts there; its time is when it was made.
CREATE TABLE `board_changes` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`board_id` text NOT NULL,
	`assessment_id` text NOT NULL,
	`field` text NOT NULL,
	`from_value` text NOT NULL,
	`to_value` text NOT NULL,
	`author` text NOT NULL,
	`first_at` text NOT NULL,
	`at` text NOT NULL,
	`seq` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `board_changes_board_assessment` ON `board_changes` (`board_id`,`assessment_id`,`seq`);--> statement-breakpoint
CREATE INDEX `board_changes_board_at` ON `board_changes` (`board_id`,`at`);--> statement-breakpoint
PRAGMA foreign_keys=OFF;--> statement-breakpoint
CREATE TABLE `__new_board_checkpoints` (
	`board_id` text NOT NULL,
	`state` blob NOT NULL,
	`through_seq` integer NOT NULL,
	`at` text NOT NULL,
	`rows_kept` integer DEFAULT true NOT NULL,
	`created_at` text NOT NULL,
	PRIMARY KEY(`board_id`, `through_seq`)
);
--> statement-breakpoint
INSERT INTO `__new_board_checkpoints`("board_id", "state", "through_seq", "at", "rows_kept", "created_at") SELECT "board_id", "state", "through_seq", "created_at", true, "created_at" FROM `board_checkpoints`;--> statement-breakpoint
DROP TABLE `board_checkpoints`;--> statement-breakpoint
ALTER TABLE `__new_board_checkpoints` RENAME TO `board_checkpoints`;--> statement-breakpoint
PRAGMA foreign_keys=ON;