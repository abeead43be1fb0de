-- CreateTable
CREATE TABLE "provider_caches" (
    "name" TEXT NOT NULL,
    "project_id" TEXT NOT NULL,
    "thread" TEXT NOT NULL,
    "provider" TEXT NOT NULL,
    "fingerprint" TEXT NOT NULL,
    "covered" INTEGER NOT NULL,
    "covered_hash" TEXT NOT NULL,
    "tokens" INTEGER NOT NULL,
    "expires_at" TIMESTAMPTZ(3) NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "provider_caches_pkey" PRIMARY KEY ("name")
);

-- CreateIndex
CREATE INDEX "provider_caches_project_id_thread_provider_idx" ON "provider_caches"("project_id", "thread", "provider");
