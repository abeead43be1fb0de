import { defineConfig } from 'prisma/config';

// Runtime connections go through driver adapters (see src/persistence); this file only tells the
// Prisma CLI where the schema and migrations are, and which database `prisma migrate deploy` targets.
export default defineConfig({
  schema: 'prisma/schema.prisma',
  migrations: { path: 'prisma/migrations' },
  datasource: { url: process.env.DATABASE_URL ?? 'postgresql://localhost:5432/postgres' },
});
