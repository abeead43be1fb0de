// `npm test` on a machine without PostgreSQL or Redis (scripts/test.mjs) sets TEST_SERVICES=none:
// the specs that talk to those servers skip themselves, and the runner says so at the end.
export const servicesAvailable = process.env.TEST_SERVICES !== 'none';

/** `describe` where PostgreSQL and Redis answer, `describe.skip` where scripts/test.mjs found them missing. */
export const describeWithServices = servicesAvailable ? describe : describe.skip;
