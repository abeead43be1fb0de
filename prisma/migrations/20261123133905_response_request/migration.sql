-- AlterTable
ALTER TABLE "responses" ADD COLUMN     "request" JSON;
