// How Node runs a role: the one place for its flags and allocator setting, used by every launcher — `npm start`
// (scripts/start.mjs), the web processes forked for WEB_CONCURRENCY (server/webProcesses.ts), the bench's role
// processes (bench/processes.ts) and the tests' server processes. Plain CommonJS, so scripts/start.mjs can read it
// before tsx is installed.

/**
 * Node's arguments before the script of a role's process: TypeScript through tsx's require hook alone — the code
 * is CommonJS, and `--import tsx` would add an ES-module loader thread with a V8 heap of its own (about 17 MB)
 * that nothing here uses. No heap limit: under the bench's load a 160 MB or 256 MB old space kept a process
 * under 250 MB but cost the batch endpoint 30–130 % more web CPU per post in collections, and a limit too small
 * for a burst ends the process (README, Benchmarks → Memory). Where memory is scarcer than CPU, an operator sets
 * one with NODE_OPTIONS=--max-old-space-size=….
 *
 * A worker process (`role` 'worker') collects sooner: young-generation halves of 8 MB instead of 16, and an old
 * space that grows by half of what survived instead of up to four times. What it holds is mostly garbage between
 * collections (about 40 MB live); with these its peak stayed near 200 instead of 275–285 MB in the bench, for
 * about 5 % more worker CPU per webhook comment. Web processes keep V8's defaults: there the collections land on
 * the pages. Node refuses --heap-growing-percent in NODE_OPTIONS, so both are arguments.
 * @param {'web' | 'worker' | 'all'} role
 * @returns {string[]}
 */
function nodeArgs(role) {
  const args = ['--require', 'tsx/cjs'];
  if (role === 'worker') args.push('--max-semi-space-size=8', '--heap-growing-percent=50');
  return args;
}

/**
 * glibc gives each thread that allocates its own malloc arena (up to 8 per core); V8's compiler and GC threads
 * and libuv's pool leave memory scattered over them. Two arenas kept a web process 20–30 MB smaller in the probe.
 * Read by glibc when the process starts, so it goes into the environment of the process launched.
 */
const ALLOCATOR_ENV = { MALLOC_ARENA_MAX: '2' };

module.exports = { nodeArgs, ALLOCATOR_ENV };
