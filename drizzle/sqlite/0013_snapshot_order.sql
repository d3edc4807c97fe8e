-- A board's snapshots numbered as they were made, so that those of one time (dated back together, history-time.ts) have
-- one order, the same on both dialects: the latest is the last made. Those stored before are numbered by time, and among
-- one time by when SQLite stored them (rowid). The default only lets the column be added to a table with rows: every
-- snapshot is stored with its number.
DROP INDEX `snapshots_board_created`;--> statement-breakpoint
ALTER TABLE `snapshots` ADD `seq` integer NOT NULL DEFAULT 0;--> statement-breakpoint
UPDATE `snapshots` SET `seq` = `ordered`.`n` FROM (SELECT `rowid` AS `row`, row_number() OVER (PARTITION BY `board_id` ORDER BY `created_at`, `rowid`) AS `n` FROM `snapshots`) AS `ordered` WHERE `ordered`.`row` = `snapshots`.`rowid`;--> statement-breakpoint
CREATE UNIQUE INDEX `snapshots_board_seq` ON `snapshots` (`board_id`,`seq`);--> statement-breakpoint
CREATE INDEX `snapshots_board_created` ON `snapshots` (`board_id`,`created_at`,`seq`,`id`,`label`,`kind`,`content_hash`,`author_id`,`author_name`,`previous_id`);
