-- CreateIndex
CREATE INDEX "Event_jobId_id_idx" ON "Event"("jobId", "id");
