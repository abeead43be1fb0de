-- AlterTable
ALTER TABLE "responses" ADD COLUMN     "first_token_at" TIMESTAMPTZ(3),
ADD COLUMN     "started_at" TIMESTAMPTZ(3),
ADD COLUMN     "upstream_attempts" INTEGER,
ADD COLUMN     "upstream_request" JSON,
ADD COLUMN     "upstream_requests" INTEGER;

-- CreateIndex
CREATE INDEX "responses_conversation_id_created_at_idx" ON "responses"("conversation_id", "created_at");

-- CreateIndex
CREATE INDEX "responses_created_at_idx" ON "responses"("created_at");
