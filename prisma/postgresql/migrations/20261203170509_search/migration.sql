-- Search that never scans: wordsKey (the start of every word, which a search of one or two
-- characters looks in) and trigram indexes of it and searchKey, which LIKE '%term%' uses to find a
-- search's matches without reading every user (lib/server/users/search.ts). Existing users get
-- their wordsKey from prisma/tooling/migrate.ts right after (keys.ts's rule).

-- pg_trgm ships with PostgreSQL and is a trusted extension: a database owner may create it. A
-- role that may not gets this message instead of a bare "permission denied".
DO $$
BEGIN
    CREATE EXTENSION IF NOT EXISTS pg_trgm;
EXCEPTION WHEN insufficient_privilege THEN
    RAISE EXCEPTION 'Roster''s search needs the pg_trgm extension, which this role may not create'
        USING HINT = format('Ask a superuser to run: CREATE EXTENSION IF NOT EXISTS pg_trgm; in database %I, then start Roster again.', current_database());
END $$;

-- AlterTable
ALTER TABLE "User" ADD COLUMN     "wordsKey" TEXT NOT NULL DEFAULT '';

-- CreateIndex
CREATE INDEX "User_searchKey_trgm_idx" ON "User" USING GIN ("searchKey" gin_trgm_ops);

-- CreateIndex
CREATE INDEX "User_wordsKey_trgm_idx" ON "User" USING GIN ("wordsKey" gin_trgm_ops);
