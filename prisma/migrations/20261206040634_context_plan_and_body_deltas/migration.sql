-- AlterTable
ALTER TABLE "responses" ADD COLUMN     "context_plan" JSON,
ADD COLUMN     "upstream_body" TEXT,
ADD COLUMN     "upstream_body_base" TEXT,
ADD COLUMN     "upstream_body_prefix" INTEGER,
ADD COLUMN     "upstream_body_suffix" INTEGER;
