-- The audit views filtered by action (`?action=export`) and paged (`?before=`): the few entries of one action found among
-- millions by the index rather than by walking them all.
CREATE INDEX `audit_log_action` ON `audit_log` (`action`,`id`);--> statement-breakpoint
CREATE INDEX `audit_log_board_action` ON `audit_log` (`board_id`,`action`,`id`);