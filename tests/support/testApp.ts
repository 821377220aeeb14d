/**
 * Starts the real app (and optionally the workers) on port 0 against this run's database and Redis,
 * with logs captured so tests can assert what was (not) logged.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { loadConfig } from '../../server/config';
import { createLogger } from '../../server/logger';
import { listen } from '../../server/app';
import { startWorkers } from '../../server/workers';
import { createServices, type ServiceOptions, type Services } from '../../server/services';
import { startWebhookReceiver, type WebhookReceiver } from './webhookReceiver';

export type TestApp = { url: string; services: Services; logs: string[]; stop(): Promise<void> };

/** env overrides this run's settings, e.g. DATABASE_URL / REDIS_URL through a tests/support/tcpProxy.ts proxy. */
export async function startTestApp(
  opts: { workers?: boolean; env?: Record<string, string>; retryOverrides?: ServiceOptions['retryOverrides'] } = {},
): Promise<TestApp> {
  const logs: string[] = [];
  const sink = new Writable({
    write(chunk, _enc, done) {
      logs.push(String(chunk));
      done();
    },
  });
  const config = loadConfig({ ...process.env, NODE_ENV: 'test', PORT: '0', ...opts.env });
  const services = await createServices(config, {
    logger: createLogger('debug', sink),
    retryOverrides: { 'deliver-reply': { attempts: 4, backoffMs: 200 }, ...opts.retryOverrides },
  });
  const workers = opts.workers ? await startWorkers(services) : null;
  const server: Server = await listen(services, 0);
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    services,
    logs,
    async stop() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await workers?.close();
      await services.close();
    },
  };
}

/** The app with workers plus a local webhook receiver for the API channel's replies, stopped together. */
export async function startTestAppWithReceiver(): Promise<{ app: TestApp; hooks: WebhookReceiver; stop(): Promise<void> }> {
  const [app, hooks] = await Promise.all([startTestApp({ workers: true }), startWebhookReceiver()]);
  return {
    app,
    hooks,
    stop: async () => {
      await app.stop();
      await hooks.close();
    },
  };
}
