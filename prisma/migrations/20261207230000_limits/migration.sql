-- AlterTable
ALTER TABLE "projects" ADD COLUMN     "limits" JSON;

-- AlterTable
ALTER TABLE "api_keys" ADD COLUMN     "limits" JSON;

-- AlterTable
ALTER TABLE "responses" ADD COLUMN     "api_key_id" TEXT;
ALTER TABLE "responses" ADD COLUMN     "run_attempts" INTEGER NOT NULL DEFAULT 0;
