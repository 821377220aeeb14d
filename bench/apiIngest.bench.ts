/**
 * Ingest through the real HTTP endpoint of a running web process, driven by the load generator in a
 * process of its own (bench/ingestLoad.ts): single posts over 32 keep-alive connections, or batches of
 * up to 500. Besides posts/s and latency it reads what each post cost — the web process's CPU time
 * (/proc), PostgreSQL transactions (pg_stat_database) and Redis commands (INFO commandstats, the whole
 * server: the worker's share included) — and checks exactly-once by counting the channel's rows.
 */
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { systemActor } from '../server/domain/audit/actor';
import { createApiChannel } from '../server/domain/channels/api/createApiChannel';
import type { Services } from '../server/services';
import type { LoadResult, LoadSpec } from './ingestLoad';

type ApiMode = 'single' | 'batch';

export type ApiIngestFigures = LoadResult & {
  mode: ApiMode;
  connections: number;
  stored: number;
  exactlyOnce: boolean;
  webCpuMsPerPost: number;
  commitsPerPost: number;
  redisCallsPerPost: number;
  /** CPU per post of every PostgreSQL and Redis server process on the machine, and of the whole machine */
  postgresCpuMsPerPost: number;
  redisCpuMsPerPost: number;
  machineCpuMsPerPost: number;
  /** what the machine's cores could ingest at the whole machine's cost per post less all the load generator did (its start included), if nothing else ran */
  ceilingPostsPerSecond: number;
  loadAverage: number;
};

const ROOT = path.join(__dirname, '..');
const CLOCK_TICKS = 100; // USER_HZ on Linux

/** utime + stime of a process, in ms. */
export function processCpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS;
}

/**
 * CPU ms of every process whose command name is `comm` (e.g. all PostgreSQL processes), with that of their
 * children that have ended (cutime + cstime: a backend that closed during the run is counted by the postmaster).
 */
export function commandCpuMs(comm: string): number {
  let ticks = 0;
  for (const pid of readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      if (stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')) !== comm) continue;
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      ticks += Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14]);
    } catch {
      // the process ended while we looked
    }
  }
  return (ticks * 1000) / CLOCK_TICKS;
}

/** Busy CPU ms of the whole machine (all cores; /proc/stat minus idle and iowait). */
export function machineBusyMs(): number {
  const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  const busy = fields.reduce((a, b) => a + b, 0) - fields[3]! - fields[4]!;
  return (busy * 1000) / CLOCK_TICKS;
}

export async function redisCalls(services: Services): Promise<number> {
  const info = await services.redis.info('commandstats');
  let calls = 0;
  for (const m of info.matchAll(/calls=(\d+)/g)) calls += Number(m[1]);
  return calls;
}

export async function commits(services: Services): Promise<number> {
  const { rows } = await sql<{ n: string }>`SELECT xact_commit AS n FROM pg_stat_database WHERE datname = current_database()`.execute(services.db);
  return Number(rows[0]!.n);
}

/** The backends report their counters about once a second: wait for them before reading. */
export const statsSettle = () => new Promise((r) => setTimeout(r, 1500));

export function runGenerator(spec: LoadSpec): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    // CommonJS through tsx's require hook: no loader thread of its own on the cores it measures
    const child = spawn(process.execPath, ['--require', 'tsx/cjs', 'bench/ingestLoad.ts', JSON.stringify(spec)], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (c: string) => {
      out += c;
    });
    child.on('exit', (code) =>
      code === 0 ? resolve(JSON.parse(out.trim().split('\n').at(-1)!) as LoadResult) : reject(new Error(`load generator exited ${code}`)),
    );
  });
}

export async function benchApiIngest(
  services: Services,
  baseUrl: string,
  webPid: number,
  opts: { posts: number; connections: number; mode: ApiMode; batchSize?: number; slaPolicyId: string | null },
): Promise<ApiIngestFigures> {
  const { db, secretBox } = services;
  const channel = await db
    .transaction()
    .execute((tx) => createApiChannel(tx, secretBox, { name: `Bench HTTP ${opts.mode} ${Date.now()}` }, systemActor('bench')));
  if (opts.slaPolicyId) await db.updateTable('channels').set({ slaPolicyId: opts.slaPolicyId }).where('id', '=', channel.channelId).execute();
  await statsSettle();
  const before = {
    cpu: processCpuMs(webPid),
    postgres: commandCpuMs('postgres'),
    redisCpu: commandCpuMs('redis-server'),
    machine: machineBusyMs(),
    commits: await commits(services),
    redis: await redisCalls(services),
  };
  const load = await runGenerator({
    baseUrl,
    channelId: channel.channelId,
    token: channel.ingestToken,
    posts: opts.posts,
    connections: opts.connections,
    mode: opts.mode,
    batchSize: opts.batchSize,
  });
  const cpu = processCpuMs(webPid) - before.cpu;
  const postgresCpu = commandCpuMs('postgres') - before.postgres;
  const redisCpu = commandCpuMs('redis-server') - before.redisCpu;
  const machineCpu = machineBusyMs() - before.machine;
  const loadAverage = os.loadavg()[0]!;
  await statsSettle();
  const after = { commits: await commits(services), redis: await redisCalls(services) };
  const { n } = await db
    .selectFrom('messages')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('channelId', '=', channel.channelId)
    .executeTakeFirstOrThrow();
  const stored = Number(n);
  const created = opts.mode === 'batch' ? (load.postStatuses['201'] ?? 0) : (load.statuses['201'] ?? 0);
  return {
    ...load,
    mode: opts.mode,
    connections: opts.connections,
    stored,
    exactlyOnce: stored === opts.posts && created === opts.posts,
    webCpuMsPerPost: cpu / opts.posts,
    commitsPerPost: (after.commits - before.commits) / opts.posts,
    redisCallsPerPost: (after.redis - before.redis) / opts.posts,
    postgresCpuMsPerPost: postgresCpu / opts.posts,
    redisCpuMsPerPost: redisCpu / opts.posts,
    machineCpuMsPerPost: machineCpu / opts.posts,
    ceilingPostsPerSecond: (os.cpus().length * 1000 * opts.posts) / (machineCpu - load.generatorProcessCpuSeconds * 1000),
    loadAverage,
  };
}
