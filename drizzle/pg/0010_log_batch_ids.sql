-- A batch of the relay's marked on its first log row: a retry of a batch whose COMMIT's answer was lost finds it
-- stored and does not store it again. Only batches' first rows hold an id, so only they are in the index.
ALTER TABLE "board_updates" ADD COLUMN "batch_id" text;--> statement-breakpoint
CREATE UNIQUE INDEX "board_updates_batch" ON "board_updates" USING btree ("batch_id") WHERE "board_updates"."batch_id" is not null;