// Jest runs the project as native ES modules (NestJS 12 is ESM-only); @swc/jest strips types and
// keeps decorator metadata so Nest's constructor injection works the same as in the built server.
const swcOptions = {
  jsc: {
    parser: { syntax: 'typescript', decorators: true },
    transform: { legacyDecorator: true, decoratorMetadata: true },
    target: 'es2022',
    keepClassNames: true,
  },
  module: { type: 'es6' },
};

const shared = {
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  transform: { '^.+\\.ts$': ['@swc/jest', swcOptions] },
  testEnvironment: 'node',
};

export default {
  projects: [
    { ...shared, displayName: 'unit', testMatch: ['<rootDir>/src/**/*.spec.ts', '<rootDir>/test/**/*.spec.ts'] },
    {
      ...shared,
      displayName: 'e2e-postgres',
      // Booting the app (and, for PGlite, the WASM database) on a cold machine can take several seconds.
      testTimeout: 30_000,
      testMatch: ['<rootDir>/test/e2e/**/*.e2e-spec.ts'],
      setupFiles: ['<rootDir>/test/setup/use-postgres.ts'],
    },
    {
      ...shared,
      displayName: 'e2e-pglite',
      testTimeout: 30_000,
      testMatch: ['<rootDir>/test/e2e/**/*.e2e-spec.ts'],
      setupFiles: ['<rootDir>/test/setup/use-pglite.ts'],
    },
  ],
};
