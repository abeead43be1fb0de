-- AlterTable
ALTER TABLE "responses" ADD COLUMN     "cost_usd" DOUBLE PRECISION;
