#!/usr/bin/env node
'use strict';
// Thin shim: all behaviour lives in src/cli/run.ts.
const { run } = require('../dist/cli/run');
run(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
