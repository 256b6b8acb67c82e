-- How many users there are, in one row kept by triggers, so the directory's unfiltered total is
-- read instead of counted over every row. Existing databases start with their current count.
-- CreateTable
CREATE TABLE "UserCount" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "count" INTEGER NOT NULL
);

INSERT INTO "UserCount" ("id", "count") SELECT 1, COUNT(*) FROM "User";

-- Every insert and delete, whoever runs it (the app, db:seed's batches, a script), in the same
-- transaction. SQLite has no statement-level triggers; a row's update is cheap (one writer).
CREATE TRIGGER "User_count_insert" AFTER INSERT ON "User"
BEGIN
    UPDATE "UserCount" SET "count" = "count" + 1 WHERE "id" = 1;
END;

CREATE TRIGGER "User_count_delete" AFTER DELETE ON "User"
BEGIN
    UPDATE "UserCount" SET "count" = "count" - 1 WHERE "id" = 1;
END;
