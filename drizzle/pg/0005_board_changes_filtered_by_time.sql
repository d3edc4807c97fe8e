DROP INDEX "board_changes_board_assessment";--> statement-breakpoint
DROP INDEX "board_changes_board_seq";--> statement-breakpoint
CREATE INDEX "board_changes_board_assessment" ON "board_changes" USING btree ("board_id","assessment_id","seq","id","at");--> statement-breakpoint
CREATE INDEX "board_changes_board_seq" ON "board_changes" USING btree ("board_id","seq","id","at");