-- A board's snapshots numbered as they were made, so that those of one time (dated back together, history-time.ts) have
-- one order, the same on both dialects: the latest is the last made. Those stored before are numbered by time, and among
-- one time by id (PostgreSQL keeps no order of insertion).
DROP INDEX "snapshots_board_created";--> statement-breakpoint
ALTER TABLE "snapshots" ADD COLUMN "seq" integer;--> statement-breakpoint
UPDATE "snapshots" SET "seq" = "ordered"."n" FROM (SELECT "id", row_number() OVER (PARTITION BY "board_id" ORDER BY "created_at", "id") AS "n" FROM "snapshots") AS "ordered" WHERE "ordered"."id" = "snapshots"."id";--> statement-breakpoint
ALTER TABLE "snapshots" ALTER COLUMN "seq" SET NOT NULL;--> statement-breakpoint
CREATE UNIQUE INDEX "snapshots_board_seq" ON "snapshots" USING btree ("board_id","seq");--> statement-breakpoint
CREATE INDEX "snapshots_board_created" ON "snapshots" USING btree ("board_id","created_at","seq");
