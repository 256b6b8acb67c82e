-- Who may do what: a user's role (none, viewer, editor, admin), none for every existing user.
-- AlterTable
ALTER TABLE "User" ADD COLUMN     "role" TEXT NOT NULL DEFAULT 'none';

-- CreateIndex
CREATE INDEX "User_role_nameKey_id_idx" ON "User"("role", "nameKey", "id");

-- CreateIndex
CREATE INDEX "User_role_createdAt_id_idx" ON "User"("role", "createdAt", "id");

-- CreateIndex
CREATE INDEX "User_role_email_id_idx" ON "User"("role", "email", "id");
