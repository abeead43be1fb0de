-- AlterTable
ALTER TABLE "responses" ADD COLUMN     "usage_estimated" BOOLEAN NOT NULL DEFAULT false;
