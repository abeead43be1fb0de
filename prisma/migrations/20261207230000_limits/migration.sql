-- AlterTable
ALTER TABLE "projects" ADD COLUMN     "limits" JSON;

-- AlterTable
ALTER TABLE "api_keys" ADD COLUMN     "limits" JSON;

-- AlterTable
ALTER TABLE "responses" ADD COLUMN     "api_key_id" TEXT;
