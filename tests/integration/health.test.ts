/** GET /healthz: 200 when PostgreSQL and Redis answer; 503 naming Redis when it does not. */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import request from 'supertest';
import { loadConfig } from '../../server/config';
import { createLogger } from '../../server/logger';
import { listen } from '../../server/app';
import { createServices, type Services } from '../../server/services';
import { startTestApp, type TestApp } from '../support/testApp';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(async () => {
  await app.stop();
});

it('when PostgreSQL and Redis answer, then /healthz is 200 with both ok', async () => {
  const res = await request(app.url).get('/healthz');
  expect(res.status).toBe(200);
  expect(res.body).toEqual({ status: 'ok', db: 'ok', redis: 'ok' });
});

describe('when Redis cannot be reached', () => {
  let services: Services;
  let server: Server;
  let url: string;
  const logs: string[] = [];

  beforeAll(async () => {
    const sink = new Writable({
      write(chunk, _enc, done) {
        logs.push(String(chunk));
        done();
      },
    });
    const config = loadConfig({ ...process.env, NODE_ENV: 'test', PORT: '0', REDIS_URL: 'redis://127.0.0.1:1' });
    services = await createServices(config, { logger: createLogger('debug', sink) });
    server = await listen(services, 0);
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    await services.close();
  });

  it('then /healthz is 503 and names redis as down while the database is ok', async () => {
    const res = await request(url).get('/healthz');
    expect(res.status).toBe(503);
    expect(res.body).toEqual({ status: 'down', db: 'ok', redis: 'down' });
  });

  it('then the console still serves the sign-in page', async () => {
    expect((await request(url).get('/login')).status).toBe(200);
  });
});
