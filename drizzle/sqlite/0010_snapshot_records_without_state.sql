-- A snapshot's record (every column but its state) read from an index holding it whole: read from the row, the columns after
-- the state walk its whole chain of overflow pages, some 4 ms for a 14 MB state on the relay's thread for each record read.
DROP INDEX `snapshots_board_created`;--> statement-breakpoint
CREATE INDEX `snapshots_board_created` ON `snapshots` (`board_id`,`created_at`,`id`,`label`,`kind`,`content_hash`,`author_id`,`author_name`,`previous_id`);