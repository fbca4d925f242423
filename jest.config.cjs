// ts-jest in CommonJS mode. @middy/core 7 ships ESM behind an "import"-only export, so it is
// mapped to its file and transformed like our own sources (see docs/decisions/0001-toolchain.md).
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  setupFiles: ['<rootDir>/test/setup-env.ts'],
  globalSetup: '<rootDir>/test/global-setup.ts',
  globalTeardown: '<rootDir>/test/global-teardown.ts',
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
  testTimeout: 30000,
  // Each worker gets its own sandbox (test/global-setup.ts starts one per worker).
  maxWorkers: 2,
  collectCoverageFrom: ['lib/**/*.ts', 'functions/**/*.ts'],
  coverageThreshold: { global: { lines: 80, branches: 70, functions: 80, statements: 80 } },
  coverageReporters: ['text-summary', 'lcov'],
};
