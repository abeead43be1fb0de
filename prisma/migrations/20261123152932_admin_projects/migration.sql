-- AlterTable
ALTER TABLE "api_keys" ADD COLUMN     "last_four" TEXT,
ADD COLUMN     "name" TEXT;

-- AlterTable
ALTER TABLE "projects" ADD COLUMN     "disabled_at" TIMESTAMPTZ(3),
ADD COLUMN     "name" TEXT;
