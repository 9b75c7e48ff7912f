#!/usr/bin/env -S node --single-threaded-gc
// --single-threaded-gc: a scan runs one engine worker per core, so V8's helper threads for garbage
// collection could only take CPU from them; measured, a scan ran 6-9% faster without them
// (docs/engine.md, "Scan throughput"). It must be given at start: V8 aborts when GC flags change later.
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
