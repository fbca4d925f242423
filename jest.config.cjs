// ts-jest in CommonJS mode. @middy/core 7 ships ESM behind an "import"-only export, so it is
// mapped to its file and transformed like our own sources (see docs/decisions/0001-toolchain.md).
const shared = {
  testEnvironment: 'node',
  setupFiles: ['<rootDir>/test/setup-env.ts'],
  moduleNameMapper: { '^@middy/([^/]+)$': '<rootDir>/node_modules/@middy/$1/index.js' },
  transformIgnorePatterns: ['/node_modules/(?!@middy/)'],
  transform: {
    '^.+\\.[tj]sx?$': [
      'ts-jest',
      {
        tsconfig: {
          module: 'commonjs',
          moduleResolution: 'node10',
          esModuleInterop: true,
          target: 'es2022',
          isolatedModules: true,
          allowJs: true,
        },
      },
    ],
  },
};

// Integration, fault and e2e tests run against the sandbox: global-setup.ts starts one per worker
// (once, however many of these projects run), global-teardown.ts stops them. Unit tests need none,
// so `npx jest test/unit/...` or `--selectProjects unit` starts no sandbox.
const withSandbox = {
  ...shared,
  globalSetup: '<rootDir>/test/global-setup.ts',
  globalTeardown: '<rootDir>/test/global-teardown.ts',
};

module.exports = {
  projects: [
    { ...shared, displayName: 'unit', testMatch: ['<rootDir>/test/unit/**/*.test.ts'] },
    {
      ...withSandbox,
      displayName: 'integration',
      testMatch: ['<rootDir>/test/integration/**/*.test.ts', '<rootDir>/test/faults/**/*.test.ts'],
    },
    { ...withSandbox, displayName: 'e2e', testMatch: ['<rootDir>/test/e2e/**/*.test.ts'] },
  ],
  // A global option: jest ignores it inside a project.
  testTimeout: 30000,
  maxWorkers: 2,
  // Global too: the known-slow files first on a clean clone (test/sequencer.cjs).
  testSequencer: '<rootDir>/test/sequencer.cjs',
  collectCoverageFrom: ['lib/**/*.ts', 'functions/**/*.ts'],
  coverageThreshold: { global: { lines: 80, branches: 70, functions: 80, statements: 80 } },
  coverageReporters: ['text-summary', 'lcov'],
};
