#!/usr/bin/env node
// The CLI entry: parse and dispatch only. Heavy modules (the ORM, models, Ink, sharp) load inside
// the commands that need them, so `sitter --help` starts fast.
import { runCli } from './program.js';
import { printError } from './output.js';

try {
  process.exitCode = await runCli(process.argv);
} catch (error) {
  process.exitCode = printError(error, { json: process.argv.includes('--json') });
}
