-- The deployment this database belongs to (one row, made at the first start; afresh by `assay restore`): what every Redis key
-- and channel is named after, so that two deployments sharing one Redis never hear each other's edits.
CREATE TABLE `deployment` (
	`id` integer PRIMARY KEY NOT NULL,
	`deployment_id` text NOT NULL
);
