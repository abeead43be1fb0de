-- CreateTable
CREATE TABLE "response_events" (
    "response_id" TEXT NOT NULL,
    "seq" INTEGER NOT NULL,
    "data" JSON NOT NULL,

    CONSTRAINT "response_events_pkey" PRIMARY KEY ("response_id","seq")
);
