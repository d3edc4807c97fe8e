-- The bounds each board's content was last found within as it loaded, and the items checked (a Yjs state vector), so a
-- later load checks only what was written since (server/relay/load-repair.ts). Boards loaded before this are checked whole once.
CREATE TABLE "board_bounds_checks" (
	"board_id" text PRIMARY KEY NOT NULL,
	"bounds" text NOT NULL,
	"state_vector" "bytea" NOT NULL
);
--> statement-breakpoint
ALTER TABLE "board_bounds_checks" ADD CONSTRAINT "board_bounds_checks_board_id_boards_id_fk" FOREIGN KEY ("board_id") REFERENCES "public"."boards"("id") ON DELETE cascade ON UPDATE no action;