/**
 * Coalesced jobs (jobs/definitions.ts `coalesce`, BullMQ's deduplication with keepLastIfActive), through the real
 * queues and a real worker on Redis: the check-spikes requests of one query share a waiting job, and one that
 * arrives while the check runs gets one more run after it (a job id per 10-second slot dropped it: the posts it was
 * for went unchecked).
 */
import { randomUUID } from 'node:crypto';
import { Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { createQueues, type Queues } from '../../jobs/queues';
import { testRedisPrefix } from '../support/testEnv';
import { until } from '../support/until';

const connection = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', { maxRetriesPerRequest: null });
const workerConnection = connection.duplicate();
const prefix = `${testRedisPrefix()}_coalesce_${process.pid}`;
let queues: Queues;
let worker: Worker;
const runs: string[] = [];
let release: () => void = () => undefined;
let gate: Promise<void> = Promise.resolve();

beforeAll(() => {
  queues = createQueues(connection, prefix);
  worker = new Worker(
    'alerts',
    async (job) => {
      runs.push((job.data as { queryId: string }).queryId);
      await gate;
    },
    { connection: workerConnection, prefix, concurrency: 1 },
  );
});
afterAll(async () => {
  await worker.close();
  await queues.close();
  await workerConnection.quit();
  await connection.quit();
});

/** As ingest asks after a post matched the query. */
const check = (queryId: string) => queues.enqueue({ name: 'check-spikes', data: { queryId } });
const hold = () => {
  gate = new Promise((r) => (release = r));
};
const settled = () =>
  until(
    'the alerts queue to settle',
    async () => (await queues.queue('alerts').getJobCounts('waiting', 'active', 'delayed')).active === 0 && (await queues.queue('alerts').count()) === 0,
  );

describe('check-spikes requests of one query', () => {
  it('when more are asked for while a check runs, then one more check runs after it (none is dropped, none runs twice at once)', async () => {
    runs.length = 0;
    const query = randomUUID();
    const other = randomUUID();
    hold();
    await check(query);
    await until('the first check to run', async () => runs.length === 1);
    // posts matched while it ran, and another query's post
    await check(query);
    await check(query);
    await check(other);
    release();
    await until('the checks after it', async () => runs.length >= 3);
    await settled();
    expect(runs.filter((q) => q === query)).toHaveLength(2);
    expect(runs.filter((q) => q === other)).toHaveLength(1);
  });

  it('when several are asked for while none runs, then they share one check', async () => {
    runs.length = 0;
    const query = randomUUID();
    hold();
    const blocker = randomUUID();
    await check(blocker); // keeps the worker busy while the query's requests wait
    await until('the blocker to run', async () => runs.length === 1);
    await check(query);
    await check(query);
    await check(query);
    release();
    await settled();
    expect(runs.filter((q) => q === query)).toHaveLength(1);
  });
});
