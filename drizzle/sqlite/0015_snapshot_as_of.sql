-- The past moment a snapshot holds the board of, when made of one (`POST /snapshots {asOf}`): null for every snapshot
-- stored before, and for those an instance not yet upgraded makes, which were all of the live board or dated now. Kept
-- in the index that holds a snapshot's whole record, which is what its record is read from (the column comes after the
-- state in each row).
DROP INDEX `snapshots_board_created`;--> statement-breakpoint
ALTER TABLE `snapshots` ADD `as_of` text;--> statement-breakpoint
CREATE INDEX `snapshots_board_created` ON `snapshots` (`board_id`,`created_at`,`seq`,`id`,`label`,`kind`,`content_hash`,`author_id`,`author_name`,`previous_id`,`as_of`);
