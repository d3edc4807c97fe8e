-- What orders a board's snapshots of one time (dated back together, history-time.ts) the same on both dialects: each
-- made from now on is stored one past the board's highest. Those stored before stay null (read as 0): only the rows that
-- tie on (board, time) with another are numbered, among their time by when SQLite stored them (rowid), so that the
-- migration rewrites them alone, not every row and the state it holds (BENCHMARKS.md). Numbered before the index is
-- dropped, which holds the board, the time and the rowid of every row, so the numbering reads no state either.
ALTER TABLE `snapshots` ADD `seq` integer;--> statement-breakpoint
UPDATE `snapshots` SET `seq` = `tied`.`n` FROM (SELECT `row`, row_number() OVER (PARTITION BY `board_id` ORDER BY `created_at`, `row`) AS `n` FROM (SELECT `rowid` AS `row`, `board_id`, `created_at`, count(*) OVER (PARTITION BY `board_id`, `created_at`) AS `ties` FROM `snapshots`) WHERE `ties` > 1) AS `tied` WHERE `tied`.`row` = `snapshots`.`rowid`;--> statement-breakpoint
DROP INDEX `snapshots_board_created`;--> statement-breakpoint
CREATE UNIQUE INDEX `snapshots_board_seq` ON `snapshots` (`board_id`,`seq`);--> statement-breakpoint
CREATE INDEX `snapshots_board_created` ON `snapshots` (`board_id`,`created_at`,`seq`,`id`,`label`,`kind`,`content_hash`,`author_id`,`author_name`,`previous_id`);
