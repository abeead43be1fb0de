// The e2e-postgres project: each test file gets a fresh database on the PostgreSQL server at
// TEST_DATABASE_URL (default: the local server's `postgres` database, used only to create it).
process.env.TEST_DB_MODE = 'postgres';
