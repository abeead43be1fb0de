-- AlterTable
ALTER TABLE "conversations" ADD COLUMN     "cache_policy" TEXT;

-- AlterTable
ALTER TABLE "responses" ADD COLUMN     "cache_plan" JSON,
ADD COLUMN     "cache_saved_usd" DOUBLE PRECISION,
ADD COLUMN     "cache_thread" TEXT;

-- CreateIndex
CREATE INDEX "responses_cache_thread_created_at_idx" ON "responses"("cache_thread", "created_at");
