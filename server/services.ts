/** Builds the long-lived parts (database, Redis, queues, poll schedules, connectors, live hub) from the config, and closes them. */
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import type pg from 'pg';
import { configureOutboundTargets } from './net/outboundTarget';
import { connectors } from '../connectors/registry';
import type { Connectors } from '../connectors/types';
import type { JobName, RetryPolicy } from '../jobs/definitions';
import { createPollScheduler } from '../jobs/pollChannel';
import { createQueues, type Queues } from '../jobs/queues';
import type { Config } from './config';
import { createSecretBox, type SecretBox } from './crypto/secretBox';
import { createDb, createPool, type Db } from './db/client';
import type { PollScheduler } from './domain/channels/polling/pollSchedules';
import { caseLinkOf, type CaseLinkOf } from './domain/caseStatus/caseLink';
import type { Dispatcher } from './domain/effects';
import { createLiveHub, type LiveHub } from './live/liveEvents';
import { AccessCopies } from './middleware/accessCopies';
import { createLogger, type Logger } from './logger';

export type Services = {
  config: Config;
  logger: Logger;
  pool: pg.Pool;
  db: Db;
  redis: Redis;
  queues: Queues;
  /** The channels' poll schedules (BullMQ job schedulers). */
  polls: PollScheduler;
  /** The connector of each channel kind: what routes, jobs and commands ask instead of importing one. */
  connectors: Connectors;
  live: LiveHub;
  /** The web process's copies of who is signed in, for page reads (middleware/accessCopies.ts). */
  access: AccessCopies;
  dispatcher: Dispatcher;
  secretBox: SecretBox;
  /** The signed status link of a case (BASE_URL/case/<number>?sig=…), for the footer of a conversation's first answer. */
  caseLink: CaseLinkOf;
  close(): Promise<void>;
};

/**
 * How long a command waits for Redis to take a job or live event after its transaction committed (not
 * at all while Redis is known to be down). ioredis keeps the command and sends it on reconnect (job ids
 * make that a no-op when the reconciler was quicker); the request answers meanwhile instead of hanging.
 */
const DISPATCH_WAIT_MS = 1_000;

function bounded(redis: Redis, p: Promise<unknown>, what: string): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const gaveUp = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`Redis did not take the ${what} (${redis.status})`)), redis.status === 'ready' ? DISPATCH_WAIT_MS : 0);
  });
  return Promise.race([p, gaveUp])
    .then(() => undefined)
    .finally(() => clearTimeout(timer));
}

export type ServiceOptions = { logger?: Logger; retryOverrides?: Partial<Record<JobName, RetryPolicy>> };

export async function createServices(config: Config, opts: ServiceOptions = {}): Promise<Services> {
  const logger = opts.logger ?? createLogger(config.logLevel);
  configureOutboundTargets(config.outboundAllowedHosts);
  // Visible, never silent: internal targets channels may reach (tests and the demo need loopback).
  if (config.outboundAllowedHosts.length)
    logger.warn({ outboundAllowedHosts: config.outboundAllowedHosts }, 'OUTBOUND_ALLOWED_HOSTS is set: channels may connect to these internal hosts');
  const pool = createPool(config.databaseUrl, 10, config.databasePreparedStatements);
  const db = createDb(pool);
  // BullMQ needs maxRetriesPerRequest: null; one connection for commands, one for pub/sub.
  const redis = new Redis(config.redisUrl, { maxRetriesPerRequest: null });
  const subscriber = new Redis(config.redisUrl, { maxRetriesPerRequest: null });
  for (const r of [redis, subscriber]) r.on('error', (err) => logger.warn({ err: err.message }, 'redis connection problem'));
  const queues = createQueues(redis, config.redisPrefix, opts.retryOverrides);
  const live = await createLiveHub(redis, subscriber, config.redisPrefix);
  const access = new AccessCopies(live.listening);
  const origin = randomUUID();
  live.subscribe((e) => e.type === 'access' && e.from !== origin && access.changed(e.userId));
  live.onGap(() => access.clear());
  const dispatcher: Dispatcher = {
    publish: (e) => {
      // This process forgets at once, before its answer; the others when the event reaches them.
      if (e.type === 'access') access.changed(e.userId);
      return bounded(redis, live.publish(e.type === 'access' ? { ...e, from: origin } : e), 'live event');
    },
    enqueue: (j) => bounded(redis, queues.enqueue(j), 'job'),
    enqueueBulk: (jobs) => bounded(redis, queues.enqueueBulk(jobs), `${jobs.length} jobs`),
    cancel: (j) => bounded(redis, queues.cancel(j), 'job removal'),
    onDispatchError: (err, what) =>
      logger.warn(
        { err: (err as Error).message, what: 'name' in what ? what.name : what.type },
        'type' in what && what.type === 'access'
          ? 'an access change was not told: other web processes keep their copies of who is signed in up to 5 s'
          : 'dispatch after commit failed; the reconciler will repair it',
      ),
  };
  return {
    config,
    logger,
    pool,
    db,
    redis,
    queues,
    polls: createPollScheduler(queues, connectors),
    connectors,
    live,
    access,
    dispatcher,
    secretBox: createSecretBox(config.encryptionKey),
    caseLink: caseLinkOf(config.baseUrl, config.encryptionKey),
    async close() {
      await live.close();
      await queues.close();
      await db.destroy();
      subscriber.disconnect();
      redis.disconnect();
    },
  };
}
