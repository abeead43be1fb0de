// The floors of src/ (docs/architecture.md), enforced by `npm run lint:imports` in `npm test`: a
// module imports from its own floor or those below, never above, and no modules import each other
// in a circle. There is no list of tolerated exceptions: a violation fails the run.

/** Lowest first. Folders on one floor may import each other; their modules never in a circle. */
const FLOORS = [
  ['generated'],
  ['common'],
  ['items'],
  ['config'],
  ['persistence', 'history'],
  ['planning', 'caching', 'reasoning'],
  ['providers'],
  ['turns'],
  ['auth', 'health', 'conversations', 'responses', 'runs', 'webhooks', 'limits', 'files', 'batches', 'admin', 'openapi', 'models'],
];

const folders = (names) => `^src/(${names.join('|')})/`;

const upward = FLOORS.slice(0, -1).map((floor, index) => ({
  name: `floor-${index}-imports-up`,
  comment: `${floor.join(', ')} may import only from floors below (${FLOORS.slice(0, index).flat().join(', ') || 'none'}) and their own.`,
  severity: 'error',
  // A spec may build its fixtures with anything (a planner's spec parses a real request body).
  from: { path: folders(floor), pathNot: '\\.spec\\.ts$' },
  to: { path: folders(FLOORS.slice(index + 1).flat()) },
}));

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    ...upward,
    {
      name: 'no-circular',
      comment: 'Modules that import each other, directly or around a loop.',
      severity: 'error',
      from: { path: '^src/' },
      to: { circular: true },
    },
    {
      name: 'app-is-the-top',
      comment: 'The files at the root of src/ (main, the app module, create-app) assemble the rest; nothing imports them.',
      severity: 'error',
      from: { path: '^src/[^/]+/' },
      to: { path: '^src/[^/]+\\.ts$' },
    },
    {
      name: 'planning-is-pure',
      comment: 'The planners are pure functions: no Nest, no Prisma, no database.',
      severity: 'error',
      from: { path: folders(['planning', 'caching', 'reasoning']), pathNot: '\\.spec\\.ts$' },
      to: { path: ['^node_modules/@nestjs/', '^src/generated/', '^src/persistence/'] },
    },
    {
      name: 'no-tests-in-src-code',
      comment: 'Production code never imports a spec or a test helper (specs and their __fixtures__ may).',
      severity: 'error',
      from: { path: '^src/', pathNot: ['\\.spec\\.ts$', '/__fixtures__/'] },
      to: { path: ['\\.spec\\.ts$', '^test/'] },
    },
    {
      name: 'unknown-folder',
      comment: 'Every folder of src/ has a floor: a new one is added to FLOORS in .dependency-cruiser.cjs.',
      severity: 'error',
      from: { path: '^src/[^/]+/', pathNot: folders(FLOORS.flat()) },
      to: {},
    },
  ],
  options: {
    // Prisma's generated client is a leaf: imports of it count, its own imports do not.
    doNotFollow: { path: ['node_modules', '^src/generated/'] },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default'], extensions: ['.ts', '.js'] },
  },
};
