/**
 * Meta webhook ingest: signed deliveries of `entries` Facebook comments each (1: a delivery per comment, as
 * Meta sends them at ordinary volume), POSTed to a running web process at `concurrency` requests at once by the
 * load generator's own process (bench/ingestLoad.ts, as for single posts). Two figures: how fast the endpoint takes
 * deliveries (signature check, durable inbox row, job enqueued, 200) and how fast the worker has ingested every
 * comment of them (comments per second from the first POST to the last comment stored); then exactly-once is
 * checked by counting the channel's rows. Per comment: the CPU of the web process (accepting), the worker
 * (ingesting), every PostgreSQL process on this machine, the load generator's sending and the whole machine (the generator
 * included), PostgreSQL commits and Redis commands (whole server: the web's, the worker's and BullMQ's); and the
 * ceiling, the comments per second the machine's cores could take at the whole machine's cost per comment less all the
 * generator did (its start and the signing included).
 */
import os from 'node:os';
import { facebookConnector } from '../connectors/meta/metaConnector';
import { systemActor } from '../server/domain/audit/actor';
import { connectChannel } from '../server/domain/channels/connectChannel';
import type { Services } from '../server/services';
import { commandCpuMs, commits, machineBusyMs, processCpuMs, redisCalls, runGenerator, statsSettle } from './apiIngest.bench';

export type MetaWebhookFigures = {
  deliveries: number;
  entriesPerDelivery: number;
  acceptedDeliveriesPerSecond: number;
  acceptP95Ms: number;
  ingestedCommentsPerSecond: number;
  stored: number;
  exactlyOnce: boolean;
  workerCpuMsPerComment: number;
  webCpuMsPerComment: number;
  postgresCpuMsPerComment: number;
  machineCpuMsPerComment: number;
  generatorCpuMsPerComment: number;
  ceilingCommentsPerSecond: number;
  commitsPerComment: number;
  redisCallsPerComment: number;
  loadAverage: number;
};

const APP_SECRET = 'bench-app-secret';

export async function benchMetaWebhook(
  services: Services,
  baseUrl: string,
  pids: { web: number; worker: number },
  opts: { deliveries: number; concurrency: number; entries: number },
): Promise<MetaWebhookFigures> {
  const { entries } = opts;
  const pageId = String(Date.now());
  const channel = await services.db
    .transaction()
    .execute((tx) =>
      connectChannel(
        tx,
        services.secretBox,
        facebookConnector,
        { name: `Bench Meta ${pageId}`, pageId, appSecret: APP_SECRET, pageToken: 'bench-page-token' },
        systemActor('bench'),
      ),
    );
  const cpu0 = { worker: processCpuMs(pids.worker), web: processCpuMs(pids.web), postgres: commandCpuMs('postgres'), machine: machineBusyMs() };
  const before = { commits: await commits(services), redis: await redisCalls(services) };
  const expected = opts.deliveries * entries;
  const load = await runGenerator({ baseUrl, mode: 'meta', pageId, appSecret: APP_SECRET, entries, posts: expected, connections: opts.concurrency });
  if (load.statuses['200'] !== opts.deliveries) {
    throw new Error(
      `Meta webhook answered ${JSON.stringify(load.statuses)} to ${opts.deliveries} deliveries; the first refusal: ${JSON.stringify(load.firstRefusal)}`,
    );
  }
  const countStored = async () =>
    Number(
      (
        await services.db
          .selectFrom('messages')
          .select((eb) => eb.fn.countAll<string>().as('n'))
          .where('channelId', '=', channel.channelId)
          .executeTakeFirstOrThrow()
      ).n,
    );
  for (;;) {
    const n = await countStored();
    if (n >= expected) break;
    if (Date.now() - load.startedAt > 600_000) throw new Error(`only ${n} of ${expected} comments ingested after 10 minutes`);
    await new Promise((r) => setTimeout(r, 100));
  }
  // from the first delivery sent (the generator's start and the signing of its bodies are not the server's work)
  const seconds = (Date.now() - load.startedAt) / 1000;
  const cpu = {
    worker: processCpuMs(pids.worker) - cpu0.worker,
    web: processCpuMs(pids.web) - cpu0.web,
    postgres: commandCpuMs('postgres') - cpu0.postgres,
    machine: machineBusyMs() - cpu0.machine,
  };
  const loadAverage = os.loadavg()[0]!;
  await statsSettle(); // a second copy of some comment would show up by now
  const stored = await countStored();
  const after = { commits: await commits(services), redis: await redisCalls(services) };
  const generator = load.generatorProcessCpuSeconds * 1000;
  return {
    deliveries: opts.deliveries,
    entriesPerDelivery: entries,
    acceptedDeliveriesPerSecond: opts.deliveries / load.seconds,
    acceptP95Ms: load.p95,
    ingestedCommentsPerSecond: expected / seconds,
    stored,
    exactlyOnce: stored === expected,
    workerCpuMsPerComment: cpu.worker / expected,
    webCpuMsPerComment: cpu.web / expected,
    postgresCpuMsPerComment: cpu.postgres / expected,
    machineCpuMsPerComment: cpu.machine / expected,
    generatorCpuMsPerComment: (load.generatorCpuSeconds * 1000) / expected,
    ceilingCommentsPerSecond: (os.cpus().length * 1000 * expected) / (cpu.machine - generator),
    commitsPerComment: (after.commits - before.commits) / expected,
    redisCallsPerComment: (after.redis - before.redis) / expected,
    loadAverage,
  };
}
