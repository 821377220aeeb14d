// How Node runs a role: the one place for its flags and allocator setting, used by every launcher — `npm start`
// (scripts/start.mjs), the web processes forked for WEB_CONCURRENCY (server/webProcesses.ts) and the bench's role
// processes (bench/processes.ts). Plain CommonJS, so scripts/start.mjs can read it before tsx is installed.
// Why these figures: README, Benchmarks → Memory.

// After a full collection a web or worker process holds 65–90 MB of live heap under the bench's load. Without a
// limit V8 sizes the heap from the machine's memory (4 GB on 24 GB) and collects lazily, so garbage piles up to
// 300 MB before a full collection runs. At 160 MB it collects sooner and still spends under 4 % of its time in
// collections; at 128 MB that rose to 20–25 % (collection after collection for little), so not lower.
const OLD_SPACE_MB = { web: 160, worker: 160, all: 256 };

/**
 * Node's arguments before the script for a process of `role`: the old-space limit, and TypeScript through
 * tsx's require hook alone — the code is CommonJS, and `--import tsx` would add an ES-module loader thread
 * with a V8 heap of its own (about 17 MB) that nothing here uses.
 * @param {'web' | 'worker' | 'all'} role
 * @returns {string[]}
 */
function nodeArgs(role) {
  return [`--max-old-space-size=${OLD_SPACE_MB[role]}`, '--require', 'tsx/cjs'];
}

/**
 * glibc gives each thread that allocates its own malloc arena (up to 8 per core); V8's compiler and GC threads
 * and libuv's pool leave memory scattered over them. Two arenas kept a web process 20–30 MB smaller in the probe.
 * Read by glibc when the process starts, so it goes into the environment of the process launched.
 */
const ALLOCATOR_ENV = { MALLOC_ARENA_MAX: '2' };

module.exports = { nodeArgs, ALLOCATOR_ENV };
