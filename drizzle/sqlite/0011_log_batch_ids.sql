-- The column PostgreSQL marks a batch's first log row with, so that a retry of a batch whose COMMIT's answer was lost
-- does not store it again; left empty here (SQLite commits in the server's own process: no answer is lost).
ALTER TABLE `board_updates` ADD `batch_id` text;--> statement-breakpoint
CREATE UNIQUE INDEX `board_updates_batch` ON `board_updates` (`batch_id`) WHERE "board_updates"."batch_id" is not null;