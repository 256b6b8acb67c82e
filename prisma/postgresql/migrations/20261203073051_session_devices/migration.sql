-- Where each session was made, for the sessions page: the browser's User-Agent and the address it
-- signed in from. Existing sessions show neither.
-- AlterTable
ALTER TABLE "Session" ADD COLUMN     "address" TEXT NOT NULL DEFAULT '',
ADD COLUMN     "userAgent" TEXT NOT NULL DEFAULT '';

-- The sessions page lists the most recently seen first, a page at a time.
CREATE INDEX "Session_lastSeenAt_idx" ON "Session"("lastSeenAt");
