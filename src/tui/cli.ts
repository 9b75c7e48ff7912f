#!/usr/bin/env node
// Plain `node`: `env -S node --single-threaded-gc` would make a scan 6-9% faster (docs/engine.md,
// "Scan throughput"), but BusyBox's env (Alpine, node's alpine images) has no -S and sitter would not
// start there at all; node refuses the flag in NODE_OPTIONS, and V8 aborts when GC flags change later.
// The CLI entry: parse and dispatch only. Heavy modules (the ORM, models, Ink, sharp) load inside
// the commands that need them, so `sitter --help` starts fast.
import { runCli } from './program.js';
import { printError, watchClosedOutput } from './output.js';

/**
 * Once the command has printed its result, nothing may keep the process alive: a handle left open
 * after a failure (a database, a worker) would hang the terminal after the message. Normally the
 * loop is already empty and this timer (unref'd) never fires.
 */
const EXIT_GRACE_MS = 3000;

watchClosedOutput();
try {
  process.exitCode = await runCli(process.argv);
} catch (error) {
  process.exitCode = printError(error, { json: process.argv.includes('--json') });
}
setTimeout(() => {
  if (process.env.SITTER_DEBUG)
    process.stderr.write(`sitter: exiting with handles still open: ${process.getActiveResourcesInfo().join(', ')}\n`);
  process.exit();
}, EXIT_GRACE_MS).unref();
