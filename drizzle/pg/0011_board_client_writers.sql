-- Who wrote under each Yjs client id of a board, so that no other account writes under it after the room that saw it is gone
-- (an idle unload, a restart) or on another instance. Boards written before this start with none known.
CREATE TABLE "board_client_writers" (
	"board_id" text NOT NULL,
	"client_id" bigint NOT NULL,
	"user_id" text NOT NULL,
	"seq" bigint NOT NULL,
	CONSTRAINT "board_client_writers_board_id_client_id_pk" PRIMARY KEY("board_id","client_id")
);
--> statement-breakpoint
CREATE INDEX "board_client_writers_account" ON "board_client_writers" USING btree ("board_id","user_id","seq");