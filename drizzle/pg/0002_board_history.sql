-- Board history: the log's rows are kept after compaction, a board keeps
-- several checkpoints, and who changed which assessment field is recorded.
-- A checkpoint made before this deleted the rows it covered, so its board's
-- history starts there; its time is when it was made.
CREATE TABLE "board_changes" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"board_id" text NOT NULL,
	"assessment_id" text NOT NULL,
	"field" text NOT NULL,
	"from_value" text NOT NULL,
	"to_value" text NOT NULL,
	"author" text NOT NULL,
	"first_at" text NOT NULL,
	"at" text NOT NULL,
	"seq" bigint NOT NULL
);
--> statement-breakpoint
ALTER TABLE "board_checkpoints" DROP CONSTRAINT "board_checkpoints_pkey";--> statement-breakpoint
ALTER TABLE "board_checkpoints" ADD CONSTRAINT "board_checkpoints_board_id_through_seq_pk" PRIMARY KEY("board_id","through_seq");--> statement-breakpoint
ALTER TABLE "board_checkpoints" ADD COLUMN "at" text;--> statement-breakpoint
UPDATE "board_checkpoints" SET "at" = "created_at";--> statement-breakpoint
ALTER TABLE "board_checkpoints" ALTER COLUMN "at" SET NOT NULL;--> statement-breakpoint
ALTER TABLE "board_checkpoints" ADD COLUMN "rows_kept" boolean DEFAULT true NOT NULL;--> statement-breakpoint
CREATE INDEX "board_changes_board_assessment" ON "board_changes" USING btree ("board_id","assessment_id","seq");--> statement-breakpoint
CREATE INDEX "board_changes_board_at" ON "board_changes" USING btree ("board_id","at");