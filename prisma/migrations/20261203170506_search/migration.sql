-- Search that never scans: wordsKey (the start of every word, which a search of one or two
-- characters looks in) and "UserSearch", an FTS5 trigram index of searchKey and wordsKey that finds
-- a search's matches without reading every user (lib/server/users/search.ts).
-- Written by hand: the generated migration rebuilt "User", which would drop its triggers; SQLite
-- adds a NOT NULL column with a constant default in place. Existing users get their wordsKey from
-- prisma/tooling/migrate.ts right after (keys.ts's rule, which SQL cannot run); the update
-- triggers below index them as it writes.
ALTER TABLE "User" ADD COLUMN "wordsKey" TEXT NOT NULL DEFAULT '';

-- External content: the index keeps only the trigrams, reading the text from "User" by rowid.
-- Case-sensitive, because the keys are folded already (keys.ts): a match is then exactly a
-- substring of the key, the rule the browser applies. No column sizes: nothing ranks matches.
CREATE VIRTUAL TABLE "UserSearch" USING fts5(
    "searchKey", "wordsKey",
    content = 'User', content_rowid = 'id',
    tokenize = 'trigram case_sensitive 1',
    columnsize = 0
);

-- A rebuild (here, and db:seed's after a bulk insert) holds 64 MB of trigrams in memory before
-- it writes a segment, instead of 1 MB: fewer segments to merge, half the time. A transaction
-- of the app writes its few rows' trigrams at commit whatever the size.
INSERT INTO "UserSearch" ("UserSearch", "rank") VALUES ('hashsize', 67108864);

INSERT INTO "UserSearch" ("UserSearch") VALUES ('rebuild');

-- In step with every write, whoever makes it (the app, db:seed, a script), in its transaction.
CREATE TRIGGER "User_search_insert" AFTER INSERT ON "User"
BEGIN
    INSERT INTO "UserSearch" ("rowid", "searchKey", "wordsKey") VALUES (NEW."id", NEW."searchKey", NEW."wordsKey");
END;

CREATE TRIGGER "User_search_delete" AFTER DELETE ON "User"
BEGIN
    INSERT INTO "UserSearch" ("UserSearch", "rowid", "searchKey", "wordsKey") VALUES ('delete', OLD."id", OLD."searchKey", OLD."wordsKey");
END;

CREATE TRIGGER "User_search_update" AFTER UPDATE OF "searchKey", "wordsKey" ON "User"
BEGIN
    INSERT INTO "UserSearch" ("UserSearch", "rowid", "searchKey", "wordsKey") VALUES ('delete', OLD."id", OLD."searchKey", OLD."wordsKey");
    INSERT INTO "UserSearch" ("rowid", "searchKey", "wordsKey") VALUES (NEW."id", NEW."searchKey", NEW."wordsKey");
END;
