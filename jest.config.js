/** Unit and golden tests need nothing running; integration tests start the local stack. */
const common = {
  preset: 'ts-jest',
  testEnvironment: 'node',
  transform: { '^.+\\.ts$': 'ts-jest' },
};

module.exports = {
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/test/unit/**/*.test.ts'] },
    // Needs Java and Maven: generated SQL is planned on Flink's own planner (no cluster).
    { ...common, displayName: 'planner', testMatch: ['<rootDir>/test/planner/**/*.test.ts'] },
    // Needs Redis on 127.0.0.1:6379 and Debian's chromium.
    { ...common, displayName: 'browser', testMatch: ['<rootDir>/test/browser/**/*.test.ts'] },
    {
      ...common,
      displayName: 'integration',
      testMatch: ['<rootDir>/test/integration/**/*.test.ts'],
      globalSetup: '<rootDir>/test/integration/global-setup.ts',
      globalTeardown: '<rootDir>/test/integration/global-teardown.ts',
    },
  ],
  // One Flink cluster, 2 cores: integration files run one at a time (see package.json).
  testTimeout: 240000,
};
