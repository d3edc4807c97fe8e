-- The past moment a snapshot holds the board of, when made of one (`POST /snapshots {asOf}`): null for every snapshot
-- stored before, and for those an instance not yet upgraded makes, which were all of the live board or dated now.
ALTER TABLE "snapshots" ADD COLUMN "as_of" text;
