-- An owner's last decision about a member, which outranks the invite links made before it:
-- the removals recorded until now carry over as decisions to remove, and their table goes. Which
-- member an owner demoted before was never recorded, so every member is taken as set by an owner
-- with the links the board has now: none of those links raises anyone already a member.
CREATE TABLE `member_decisions` (
	`board_id` text NOT NULL,
	`user_id` text NOT NULL,
	`removed` integer NOT NULL,
	`links_up_to` text,
	PRIMARY KEY(`board_id`, `user_id`),
	FOREIGN KEY (`board_id`) REFERENCES `boards`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
INSERT INTO `member_decisions` (`board_id`, `user_id`, `removed`, `links_up_to`) SELECT `board_id`, `user_id`, 1, NULL FROM `board_removals`;--> statement-breakpoint
INSERT INTO `member_decisions` (`board_id`, `user_id`, `removed`, `links_up_to`) SELECT m.`board_id`, m.`user_id`, 0, (SELECT max(i.`created_at`) FROM `board_invites` i WHERE i.`board_id` = m.`board_id`) FROM `board_members` m WHERE NOT EXISTS (SELECT 1 FROM `member_decisions` d WHERE d.`board_id` = m.`board_id` AND d.`user_id` = m.`user_id`);--> statement-breakpoint
DROP TABLE `board_removals`;