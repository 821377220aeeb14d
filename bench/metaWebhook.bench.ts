/**
 * Meta webhook ingest: signed deliveries of `entries` Facebook comments each (1: a delivery per comment, as
 * Meta sends them at ordinary volume), POSTed to a running web process at `concurrency` requests at once.
 * Two figures: how fast the endpoint takes deliveries (signature check, durable inbox row, job enqueued,
 * 200) and how fast the worker has ingested every comment of them (comments per second from the first
 * POST to the last comment stored); then exactly-once is checked by counting the channel's rows. Per comment:
 * the CPU of the web process (accepting), the worker (ingesting), every PostgreSQL process on this machine and the whole machine
 * (the deliveries' sender, this bench process, included), PostgreSQL commits and Redis commands (whole server: the
 * web's, the worker's and BullMQ's).
 */
import { createHmac, randomUUID } from 'node:crypto';
import os from 'node:os';
import { facebookConnector } from '../connectors/meta/metaConnector';
import { systemActor } from '../server/domain/audit/actor';
import { connectChannel } from '../server/domain/channels/connectChannel';
import type { Services } from '../server/services';
import { commandCpuMs, commits, machineBusyMs, processCpuMs, redisCalls, statsSettle } from './apiIngest.bench';

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
  commitsPerComment: number;
  redisCallsPerComment: number;
  loadAverage: number;
};

const APP_SECRET = 'bench-app-secret';

function deliveryBody(pageId: string, n: number, entries: number): string {
  const now = Math.floor(Date.now() / 1000);
  const entry = Array.from({ length: entries }, (_, i) => ({
    id: pageId,
    time: now,
    changes: [
      {
        field: 'feed',
        value: {
          item: 'comment',
          verb: 'add',
          comment_id: `${n}_${i}_${randomUUID()}`,
          post_id: `${pageId}_${n % 20}`,
          parent_id: `${pageId}_${n % 20}`,
          from: { id: `fan-${(n * entries + i) % 5000}`, name: `Fan ${(n * entries + i) % 5000}` },
          message: `Wann kommt Bestellung #${n * entries + i}? 📦`,
          created_time: now,
        },
      },
    ],
  }));
  return JSON.stringify({ object: 'page', entry });
}

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
  const bodies = Array.from({ length: opts.deliveries }, (_, n) => deliveryBody(pageId, n, entries));
  const cpu0 = { worker: processCpuMs(pids.worker), web: processCpuMs(pids.web), postgres: commandCpuMs('postgres'), machine: machineBusyMs() };
  const before = { commits: await commits(services), redis: await redisCalls(services) };
  const times: number[] = [];
  let next = 0;
  const started = performance.now();
  const client = async () => {
    while (next < bodies.length) {
      const body = bodies[next++]!;
      const sent = performance.now();
      const res = await fetch(`${baseUrl}/webhooks/meta`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-hub-signature-256': `sha256=${createHmac('sha256', APP_SECRET).update(body).digest('hex')}` },
        body,
      });
      if (res.status !== 200) throw new Error(`Meta webhook answered ${res.status}: ${await res.text()}`);
      times.push(performance.now() - sent);
    }
  };
  await Promise.all(Array.from({ length: opts.concurrency }, client));
  const accepted = performance.now();
  const expected = opts.deliveries * entries;
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
    if (performance.now() - started > 600_000) throw new Error(`only ${n} of ${expected} comments ingested after 10 minutes`);
    await new Promise((r) => setTimeout(r, 100));
  }
  const done = performance.now();
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
  times.sort((a, b) => a - b);
  return {
    deliveries: opts.deliveries,
    entriesPerDelivery: entries,
    acceptedDeliveriesPerSecond: opts.deliveries / ((accepted - started) / 1000),
    acceptP95Ms: times[Math.min(times.length - 1, Math.ceil(0.95 * times.length) - 1)]!,
    ingestedCommentsPerSecond: expected / ((done - started) / 1000),
    stored,
    exactlyOnce: stored === expected,
    workerCpuMsPerComment: cpu.worker / expected,
    webCpuMsPerComment: cpu.web / expected,
    postgresCpuMsPerComment: cpu.postgres / expected,
    machineCpuMsPerComment: cpu.machine / expected,
    commitsPerComment: (after.commits - before.commits) / expected,
    redisCallsPerComment: (after.redis - before.redis) / expected,
    loadAverage,
  };
}
