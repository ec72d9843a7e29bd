// Mutation testing of src/shared (the URL, card and navigation rules) against its node tests:
// `npm run mutation`. Not part of CI (it runs the node tests once per mutant: minutes, not seconds).
/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: 'command',
  // one process for every shared test file (test/mutation/shared.ts): one tsx start per mutant
  commandRunner: { command: 'FC_MAX_RUNS=40 node --import tsx test/mutation/shared.ts' },
  // The URL, card, navigation and formatting rules; api/ and store/ are the server's HTTP shapes,
  // covered by the server's own tests. index.ts and url-entry.ts only re-export.
  mutate: ['src/shared/*.ts', '!src/shared/index.ts', '!src/shared/url-entry.ts'],
  coverageAnalysis: 'off',
  concurrency: 2,
  timeoutMS: 30000,
  reporters: ['clear-text', 'progress', 'html'],
  htmlReporter: { fileName: 'reports/mutation/index.html' },
  thresholds: { high: 95, low: 90, break: 90 },
  tempDirName: '.stryker-tmp',
  cleanTempDir: true,
};
