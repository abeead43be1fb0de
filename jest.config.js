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
  // Booting the app (and, for PGlite, the WASM database) in a fresh clone can take several seconds.
  testTimeout: 30_000,
  projects: [
    { ...shared, displayName: 'unit', testMatch: ['<rootDir>/src/**/*.spec.ts', '<rootDir>/test/**/*.spec.ts'] },
    {
      ...shared,
      displayName: 'e2e-postgres',
      testMatch: ['<rootDir>/test/e2e/**/*.e2e-spec.ts'],
      setupFiles: ['<rootDir>/test/setup/use-postgres.ts'],
      setupFilesAfterEnv: ['<rootDir>/test/setup/check-replies.ts'],
    },
    {
      ...shared,
      displayName: 'e2e-pglite',
      testMatch: ['<rootDir>/test/e2e/**/*.e2e-spec.ts'],
      setupFiles: ['<rootDir>/test/setup/use-pglite.ts'],
      setupFilesAfterEnv: ['<rootDir>/test/setup/check-replies.ts'],
    },
  ],
};
