-- AlterTable
ALTER TABLE "responses" ADD COLUMN     "upstream_body_copies" JSON;
