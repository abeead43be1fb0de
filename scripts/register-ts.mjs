// Node 20 has no --experimental-strip-types, so `npm run mock-upstream` preloads this file:
// `node --import ./scripts/register-ts.mjs test/mock-upstream/main.ts`.
// It registers ts-hooks.mjs, which compiles the mock's TypeScript with @swc/core on the fly.
import { register } from 'node:module';

register('./ts-hooks.mjs', import.meta.url);
