-- Accounts: every person who runs Roster is a user with a role and a password (or none yet), and
-- each session belongs to one of them. Sessions made with the shared ADMIN_PASSWORD belonged to
-- nobody: they are not carried over, so everyone signs in again, as themselves.
DELETE FROM "Session";

-- AlterTable
ALTER TABLE "Session" ADD COLUMN     "userId" INTEGER NOT NULL;

-- AlterTable
ALTER TABLE "User" ADD COLUMN     "passwordHash" TEXT;

-- CreateIndex
CREATE INDEX "Session_userId_lastSeenAt_idx" ON "Session"("userId", "lastSeenAt");

-- AddForeignKey
ALTER TABLE "Session" ADD CONSTRAINT "Session_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User"("id") ON DELETE CASCADE ON UPDATE CASCADE;
