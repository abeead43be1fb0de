import { takeViolations } from '../e2e/reply-tap.js';

// Every e2e test fails if a reply it received does not match the official schemas (see
// test/e2e/schema-conformance.ts). Violations from before the first test (the app's boot) count too.
afterEach(() => {
  const violations = takeViolations();
  if (violations.length > 0) throw new Error(`replies that do not match the official schemas:\n- ${[...new Set(violations)].join('\n- ')}`);
});
