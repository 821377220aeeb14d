/** The only reader of process.env: every setting parsed, documented and checked at boot. */
import { z } from 'zod';
import { parseAllowList } from './net/outboundTarget';

const LOCAL_DEV_SESSION_SECRET = 'replyline-local-development-session-secret';
const LOCAL_DEV_ENCRYPTION_KEY = 'replyline-local-development-encryption-key';

const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  /** PostgreSQL connection string. */
  DATABASE_URL: z.string().default('postgres://postgres@127.0.0.1:5432/replyline'),
  /**
   * on: statements a connection repeats are prepared on it (server/db/preparedStatements.ts). off: for PgBouncer
   * before 1.21 in transaction mode, which cannot keep a prepared statement (1.21+ with max_prepared_statements can).
   */
  DATABASE_PREPARED_STATEMENTS: z.enum(['on', 'off']).default('on'),
  /** Redis for job queues and live events. */
  REDIS_URL: z.string().default('redis://127.0.0.1:6379'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  /** Where users reach the console; used in printed links. */
  BASE_URL: z.string().optional(),
  /** Signs session cookies. Required in production and for any database beyond the demo (see server/keysGuard.ts). */
  SESSION_SECRET: z.string().min(16).optional(),
  /** Encrypts channel credentials at rest. Required in production and for any database beyond the demo. */
  ENCRYPTION_KEY: z.string().min(16).optional(),
  /** web = HTTP + SSE, worker = job processors, all = both in one process. */
  ROLE: z.enum(['web', 'worker', 'all']).default('all'),
  /** How many web processes share the port (node:cluster); 1 = this process serves HTTP itself. */
  WEB_CONCURRENCY: z.coerce.number().int().min(1).max(32).default(1),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** Prefix for Redis keys and queue names, so several installations (or test runs) share one Redis. */
  REDIS_PREFIX: z.string().default('replyline'),
  /** How long a reply being sent stays claimed by a worker that stopped (killed, hung) before another worker takes it over. */
  WORKER_LOCK_MS: z.coerce.number().int().min(1000).default(30_000),
  /**
   * Internal servers channels may connect to (comma-separated host names, "*.domain" wildcards, IP addresses
   * or CIDR ranges), for on-premises mail servers or proxies. Empty: no loopback, private or link-local target at all.
   */
  OUTBOUND_ALLOWED_HOSTS: z.string().default(''),
  /** The console's own mail server for invitation and password links, e.g. smtp://user:pass@mail.example.com:587. Unset: links are only shown to the admin. */
  SMTP_URL: z.preprocess((v) => (v === '' ? undefined : v), z.url({ protocol: /^smtps?$/ }).optional()),
  /** The sender of those mails. */
  MAIL_FROM: z.string().default('Replyline <no-reply@localhost>'),
  /** Minutes after the last console tab of an online or away agent closed before they become offline. */
  ROUTING_OFFLINE_AFTER_MINUTES: z.coerce.number().int().min(1).max(1440).default(5),
  /** Minutes an agent has to open a conversation the router gave them before it is offered to the next agent (0: never). */
  ROUTING_REOFFER_AFTER_MINUTES: z.coerce.number().int().min(0).max(1440).default(10),
});

export type Config = {
  env: 'development' | 'test' | 'production';
  databaseUrl: string;
  /** DATABASE_PREPARED_STATEMENTS=on */
  databasePreparedStatements: boolean;
  redisUrl: string;
  redisPrefix: string;
  port: number;
  baseUrl: string;
  sessionSecret: string;
  encryptionKey: string;
  /** The key variables that were not set, so their built-in (public, demo-only) values are in use. */
  builtInKeys: BuiltInKey[];
  role: 'web' | 'worker' | 'all';
  webConcurrency: number;
  logLevel: string;
  workerLockMs: number;
  /** OUTBOUND_ALLOWED_HOSTS as a list (validated); server/net/outboundTarget.ts applies it. */
  outboundAllowedHosts: string[];
  /** SMTP_URL and MAIL_FROM: how the console mails invitation links; null when no mail server is configured. */
  systemMail: { smtpUrl: string; from: string } | null;
  routing: { offlineAfterMinutes: number; reofferAfterMinutes: number };
};

export type BuiltInKey = 'SESSION_SECRET' | 'ENCRYPTION_KEY';

export class ConfigError extends Error {}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new ConfigError(`Invalid environment: ${problems}`);
  }
  const e = parsed.data;
  const production = e.NODE_ENV === 'production';
  for (const name of ['SESSION_SECRET', 'ENCRYPTION_KEY'] as const) {
    if (production && !e[name]) throw new ConfigError(`${name} must be set when NODE_ENV=production`);
  }
  const outboundAllowedHosts = e.OUTBOUND_ALLOWED_HOSTS.split(',')
    .map((h) => h.trim())
    .filter(Boolean);
  try {
    parseAllowList(outboundAllowedHosts);
  } catch (err) {
    throw new ConfigError(`OUTBOUND_ALLOWED_HOSTS: ${(err as Error).message}`);
  }
  return {
    env: e.NODE_ENV,
    databaseUrl: e.DATABASE_URL,
    databasePreparedStatements: e.DATABASE_PREPARED_STATEMENTS === 'on',
    redisUrl: e.REDIS_URL,
    redisPrefix: e.REDIS_PREFIX,
    port: e.PORT,
    baseUrl: e.BASE_URL ?? `http://localhost:${e.PORT}`,
    sessionSecret: e.SESSION_SECRET ?? LOCAL_DEV_SESSION_SECRET,
    encryptionKey: e.ENCRYPTION_KEY ?? LOCAL_DEV_ENCRYPTION_KEY,
    builtInKeys: (['SESSION_SECRET', 'ENCRYPTION_KEY'] as const).filter((name) => !e[name]),
    role: e.ROLE,
    webConcurrency: e.WEB_CONCURRENCY,
    logLevel: e.LOG_LEVEL,
    workerLockMs: e.WORKER_LOCK_MS,
    outboundAllowedHosts,
    systemMail: e.SMTP_URL ? { smtpUrl: e.SMTP_URL, from: e.MAIL_FROM } : null,
    routing: { offlineAfterMinutes: e.ROUTING_OFFLINE_AFTER_MINUTES, reofferAfterMinutes: e.ROUTING_REOFFER_AFTER_MINUTES },
  };
}
