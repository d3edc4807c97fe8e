-- How many times a command (`assay import`) wrote the database holding the serving lock exclusive:
-- a PostgreSQL server whose lock lapsed reads it again once it holds the lock again.
CREATE TABLE `exclusive_writes` (
	`id` integer PRIMARY KEY NOT NULL,
	`count` integer NOT NULL
);
