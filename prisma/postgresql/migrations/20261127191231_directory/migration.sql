-- The directory: sort and search keys, edit version and time, keyset indexes.
-- Existing rows get their keys from SQL here (new and edited users from lib/directory/keys.ts):
-- LIKE's wildcards and escape are mapped to control characters, as keys.ts does.
ALTER TABLE "User" ADD COLUMN     "nameKey" TEXT NOT NULL DEFAULT '',
ADD COLUMN     "searchKey" TEXT NOT NULL DEFAULT '',
ADD COLUMN     "updatedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
ADD COLUMN     "version" INTEGER NOT NULL DEFAULT 1;

UPDATE "User" SET
  "nameKey" = lower("name"),
  "searchKey" = replace(replace(replace(lower("name") || chr(10) || "email", '\', chr(3)), '%', chr(1)), '_', chr(2)),
  "updatedAt" = "createdAt";

ALTER TABLE "User" ALTER COLUMN "nameKey" DROP DEFAULT,
ALTER COLUMN "searchKey" DROP DEFAULT,
ALTER COLUMN "updatedAt" DROP DEFAULT;

-- Sort keys compare by code point, as in SQLite and in the browser, not by the server's locale.
ALTER TABLE "User" ALTER COLUMN "nameKey" SET DATA TYPE TEXT COLLATE "C",
ALTER COLUMN "email" SET DATA TYPE TEXT COLLATE "C";

-- CreateIndex
CREATE INDEX "User_nameKey_id_searchKey_idx" ON "User"("nameKey", "id", "searchKey");

-- CreateIndex
CREATE INDEX "User_createdAt_id_searchKey_idx" ON "User"("createdAt", "id", "searchKey");

-- CreateIndex
CREATE INDEX "User_email_id_searchKey_idx" ON "User"("email", "id", "searchKey");
