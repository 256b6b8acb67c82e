-- The directory: sort and search keys, edit version and time, keyset indexes.
-- Existing rows get their keys from SQL here: lower() folds ASCII only in SQLite, so a name with
-- non-ASCII capitals matches a search in its own case until it is next edited (new and edited
-- users get their keys from lib/directory/keys.ts). LIKE's wildcards and escape are mapped to
-- control characters, as keys.ts does.
-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_User" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "name" TEXT NOT NULL,
    "email" TEXT NOT NULL,
    "nameKey" TEXT NOT NULL,
    "searchKey" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    "version" INTEGER NOT NULL DEFAULT 1
);
INSERT INTO "new_User" ("createdAt", "email", "id", "name", "nameKey", "searchKey", "updatedAt")
SELECT "createdAt", "email", "id", "name",
       lower("name"),
       replace(replace(replace(lower("name") || char(10) || "email", '\', char(3)), '%', char(1)), '_', char(2)),
       "createdAt"
FROM "User";
DROP TABLE "User";
ALTER TABLE "new_User" RENAME TO "User";
CREATE UNIQUE INDEX "User_email_key" ON "User"("email");
CREATE INDEX "User_nameKey_id_searchKey_idx" ON "User"("nameKey", "id", "searchKey");
CREATE INDEX "User_createdAt_id_searchKey_idx" ON "User"("createdAt", "id", "searchKey");
CREATE INDEX "User_email_id_searchKey_idx" ON "User"("email", "id", "searchKey");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;
