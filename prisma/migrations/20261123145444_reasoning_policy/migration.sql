-- AlterTable
ALTER TABLE "conversations" ADD COLUMN     "reasoning_policy" TEXT;
