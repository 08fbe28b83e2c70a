/** Unit specs beside the code; e2e specs in test/ against a real PostgreSQL started by globalSetup. */
const tsJest = {
  '^.+/node_modules/@nestjs/throttler/.+\\.js$': '<rootDir>/test/cjs-require-nest.cjs',
  '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: 'tsconfig.json' }],
  // ESM-only packages that CommonJS dependencies require() (Node 20 does that natively, jest's loader
  // not before Node 24.9): compiled to CommonJS for the test run only.
  '^.+/node_modules/.+\\.js$': [
    'ts-jest',
    { useESM: true, tsconfig: { allowJs: true, isolatedModules: true } },
  ],
};
const ESM_ONLY_REQUIRED = ['content-disposition'];
// CommonJS packages that require() NestJS 12's ESM-only core packages (see test/nest-for-cjs.ts).
const CJS_REQUIRING_NEST = ['@nestjs/throttler'];
const common = {
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  transform: tsJest,
  transformIgnorePatterns: [
    `/node_modules/(?!(${[...ESM_ONLY_REQUIRED, ...CJS_REQUIRING_NEST].join('|')})/)`,
  ],
  testEnvironment: 'node',
  // Temporary directories made through test/temp-dirs.ts are removed after each file.
  setupFilesAfterEnv: ['<rootDir>/test/remove-temp-dirs.ts'],
};

const e2e = {
  ...common,
  displayName: 'e2e',
  testMatch: ['<rootDir>/test/**/*.e2e-spec.ts'],
  setupFiles: ['<rootDir>/test/setup-env.ts', '<rootDir>/test/nest-for-cjs.ts'],
};

/**
 * The same app again with ALGORITHM=ES256 (key pairs, JWKS): every e2e spec that signs, verifies or
 * checks tokens (login, refresh, sessions, two-factor and enrolment tokens, scopes and roles, API keys
 * beside tokens, the admin routes, clients). Specs about HTTP plumbing, shutdown, migrations, limits
 * and the browser run under HS256 only, so CI stays under 10 minutes (docs/tokens.md). Add a spec here
 * when it touches tokens. `npm run test:e2e-es256` runs this project alone.
 */
const ES256_SPECS = [
  'access-token',
  'admin-users',
  'api-keys',
  'audit',
  'authorization',
  'items',
  'register',
  'sessions',
  'token',
  'two-factor-policy',
  'two-factor',
  'users',
  'oauth-clients',
];

export default {
  // A global option (jest ignores it inside a project): hooks that start apps and second instances
  // need more than the 5 s default on a loaded 2-core machine.
  testTimeout: 30000,
  // Two files at a time on CI's 2 cores: e2e files spend most of their time waiting on PostgreSQL,
  // child processes and the browser, and jest's default (cores - 1) would leave one core idle.
  maxWorkers: 2,
  globalSetup: './test/global-setup.mjs',
  globalTeardown: './test/global-teardown.mjs',
  projects: [
    {
      ...common,
      displayName: 'unit',
      testMatch: ['<rootDir>/src/**/*.spec.ts'],
      setupFiles: ['<rootDir>/test/nest-for-cjs.ts'],
    },
    e2e,
    {
      ...e2e,
      displayName: 'e2e-es256',
      testMatch: ES256_SPECS.map((name) => `<rootDir>/test/${name}.e2e-spec.ts`),
      setupFiles: [...e2e.setupFiles, '<rootDir>/test/setup-env-es256.ts'],
    },
  ],
};
