// The e2e-pglite project: the same tests against embedded PGlite (no DATABASE_URL).
process.env.TEST_DB_MODE = 'pglite';
