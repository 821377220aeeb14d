// `npm start`: the whole product on one machine. Plain Node, no dependencies (it runs before npm ci).
// Installs npm packages when needed, makes sure PostgreSQL and Redis answer (starting local ones when
// it can), migrates, loads demo data into an empty database, prints the demo logins, then runs web and
// worker in one process (ROLE=all) until stopped.
import { spawn, spawnSync } from 'node:child_process';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ALLOCATOR_ENV, nodeArgs } from '../server/nodeArgs.cjs';
import { ensureNodeModules } from './ensure-deps.mjs';

process.chdir(path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..'));

// tsx from node_modules, not through npx: npx runs it under `sh -c`, which does not pass on SIGTERM.
const TSX = path.join('node_modules', '.bin', 'tsx');

// Defaults match server/config.ts.
const SERVICES = [
  {
    name: 'PostgreSQL',
    variable: 'DATABASE_URL',
    defaultPort: 5432,
    ...address(process.env.DATABASE_URL, 5432),
    binary: 'pg_ctlcluster',
    start: 'pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start',
  },
  {
    name: 'Redis',
    variable: 'REDIS_URL',
    defaultPort: 6379,
    ...address(process.env.REDIS_URL, 6379),
    binary: 'redis-server',
    start: 'redis-server --daemonize yes --bind 127.0.0.1 --save "" --appendonly no',
  },
];

ensureNodeModules();
await ensureServices();
allowLoopbackForTheDemo();
cli('db:migrate');
cli('demo:load');
printDemoLogins();
runServer();

/**
 * The demo channels talk to stand-ins served by the console itself (demo X API, Graph and webhook sinks on
 * localhost) and to paused Telegram/e-mail servers on 127.0.0.1. Outbound targets inside are refused unless
 * OUTBOUND_ALLOWED_HOSTS allows them (server/net/outboundTarget.ts), so the demo allows loopback — visibly.
 */
function allowLoopbackForTheDemo() {
  if (process.env.OUTBOUND_ALLOWED_HOSTS !== undefined) {
    console.log(`OUTBOUND_ALLOWED_HOSTS is set: channels may connect to ${process.env.OUTBOUND_ALLOWED_HOSTS || 'no internal host'}.`);
    return;
  }
  // Own keys mean a real installation, not the demo: it allows internal hosts only explicitly.
  if (process.env.SESSION_SECRET || process.env.ENCRYPTION_KEY || process.env.NODE_ENV === 'production') return;
  process.env.OUTBOUND_ALLOWED_HOSTS = 'localhost,127.0.0.1,::1';
  console.log("Demo: OUTBOUND_ALLOWED_HOSTS=localhost,127.0.0.1,::1 is ON, so the demo channels can reach the console's own stand-ins.");
  console.log("      Channels may connect to this machine's loopback address. Do not run production like this.");
}

function address(url, defaultPort) {
  const parsed = url ? new URL(url) : null;
  return { host: parsed?.hostname.replace(/^\[|\]$/g, '') || '127.0.0.1', port: Number(parsed?.port) || defaultPort };
}

async function ensureServices() {
  for (const s of SERVICES) {
    if (await reachable(s)) continue;
    console.log(`\n${s.name} is not reachable at ${s.host}:${s.port}. Start it with:\n  ${s.start}`);
    // The start commands bring up the local default instance; anything else is the operator's to start.
    if (['127.0.0.1', 'localhost', '::1'].includes(s.host) && s.port === s.defaultPort && onPath(s.binary)) {
      console.log('Trying that now …');
      spawnSync('sh', ['-c', s.start], { stdio: 'inherit' });
      if (await waitUntilReachable(s, 15_000)) {
        console.log(`${s.name} is up.`);
        continue;
      }
    }
    console.error(`${s.name} is still not reachable. Start it as shown above (or point ${s.variable} at a running one), then run npm start again.`);
    process.exit(1);
  }
}

function reachable({ host, port }) {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port, timeout: 1_500 });
    const done = (ok) => {
      socket.destroy();
      resolve(ok);
    };
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
    socket.once('timeout', () => done(false));
  });
}

async function waitUntilReachable(service, timeoutMs) {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (await reachable(service)) return true;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  return false;
}

function onPath(binary) {
  return spawnSync('sh', ['-c', `command -v ${binary}`], { stdio: 'ignore' }).status === 0;
}

/** Runs one operator CLI command with its human-readable output; stops here when it fails. */
function cli(command) {
  const { status } = spawnSync(TSX, ['server/cli/main.ts', command], { stdio: 'inherit' });
  if (status !== 0) {
    console.error(`\n\`npm run cli -- ${command}\` failed (exit code ${status}); see the message above.`);
    process.exit(1);
  }
}

function printDemoLogins() {
  const { stdout, status } = spawnSync(TSX, ['server/cli/main.ts', 'demo:logins', '--json'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  if (status !== 0) return;
  const { logins } = JSON.parse(stdout);
  console.log('\nDemo logins (demo data only):');
  for (const { role, email, password } of logins) console.log(`  ${role.padEnd(8)} ${email.padEnd(30)} ${password}`);
}

/**
 * The server runs in its own process group, so a Ctrl+C in the terminal reaches it once — forwarded
 * from here — and not twice, which would cut its graceful shutdown short.
 */
function runServer() {
  const server = spawn(process.execPath, [...nodeArgs('all'), 'server/main.ts'], {
    stdio: ['ignore', 'inherit', 'inherit'],
    detached: true,
    env: { ...ALLOCATOR_ENV, ...process.env, ROLE: 'all' },
  });
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => server.kill(signal));
  server.on('exit', (code, signal) => process.exit(code ?? 128 + (os.constants.signals[signal] ?? 0)));
}
