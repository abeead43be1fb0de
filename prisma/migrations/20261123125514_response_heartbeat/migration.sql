-- AlterTable
ALTER TABLE "responses" ADD COLUMN     "heartbeat_at" TIMESTAMPTZ(3);

-- CreateIndex
CREATE INDEX "responses_status_heartbeat_at_idx" ON "responses"("status", "heartbeat_at");
