-- How many users there are, in one row kept by triggers, so the directory's unfiltered total is
-- read instead of counted over every row. Existing databases start with their current count.
-- CreateTable
CREATE TABLE "UserCount" (
    "id" INTEGER NOT NULL,
    "count" INTEGER NOT NULL,

    CONSTRAINT "UserCount_pkey" PRIMARY KEY ("id")
);

INSERT INTO "UserCount" ("id", "count") SELECT 1, COUNT(*) FROM "User";

-- Every insert, delete and truncate, whoever runs it (the app, db:seed's batches, a script), in the
-- same transaction: once per statement (a batch of 2,000 inserts is one update). Writers already
-- commit one at a time (lib/events/log.ts), so the one row adds no waiting of its own.
CREATE FUNCTION "user_count_inserted"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE "UserCount" SET "count" = "count" + (SELECT COUNT(*) FROM "inserted") WHERE "id" = 1;
    RETURN NULL;
END $$;

CREATE FUNCTION "user_count_deleted"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE "UserCount" SET "count" = "count" - (SELECT COUNT(*) FROM "deleted") WHERE "id" = 1;
    RETURN NULL;
END $$;

CREATE FUNCTION "user_count_truncated"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE "UserCount" SET "count" = 0 WHERE "id" = 1;
    RETURN NULL;
END $$;

CREATE TRIGGER "User_count_insert" AFTER INSERT ON "User"
    REFERENCING NEW TABLE AS "inserted" FOR EACH STATEMENT EXECUTE FUNCTION "user_count_inserted"();

CREATE TRIGGER "User_count_delete" AFTER DELETE ON "User"
    REFERENCING OLD TABLE AS "deleted" FOR EACH STATEMENT EXECUTE FUNCTION "user_count_deleted"();

CREATE TRIGGER "User_count_truncate" AFTER TRUNCATE ON "User"
    FOR EACH STATEMENT EXECUTE FUNCTION "user_count_truncated"();
