/** Every log line of a request carries its id (X-Request-Id), every line of a job run its { jobId, job }. */
import request from 'supertest';
import { makeWhatsappChannel } from '../factories/messagingChannels';
import { inboundText, newWamid, postSignedWhatsapp } from '../fakes/fakeMetaServer';
import { startTestApp, type TestApp } from '../support/testApp';
import { until } from '../support/until';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp({ workers: true });
});
afterAll(async () => {
  await app.stop();
});

type Line = { msg: string; reqId?: string; jobId?: string; job?: string; [k: string]: unknown };
const lines = (): Line[] =>
  app.logs
    .flatMap((l) => l.split('\n'))
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Line);
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('request ids', () => {
  it('when a request carries a sane X-Request-Id, then it is echoed and every line logged for the request carries it', async () => {
    const id = 'trace-4711.abc:DEF_01';
    const res = await request(app.url).post('/webhooks/whatsapp').set('X-Request-Id', id).set('content-type', 'application/json').send('{"object":"x"}');
    expect(res.status).toBe(401); // unsigned: refused, and the refusal is logged
    expect(res.headers['x-request-id']).toBe(id);
    const mine = await until('the request line', async () => {
      const found = lines().filter((l) => l.reqId === id);
      return found.some((l) => l.msg === 'request') ? found : undefined;
    });
    expect(mine.map((l) => l.msg)).toEqual(['whatsapp webhook refused', 'request']);
    expect(mine[1]).toMatchObject({ method: 'POST', path: '/webhooks/whatsapp', status: 401 });
  });

  it('when X-Request-Id is missing, too long or carries other characters, then a fresh UUID is used', async () => {
    for (const sent of [undefined, 'x'.repeat(129), 'abc def ghi', 'evil\u00e9-id-1234', 'short']) {
      const req = request(app.url).get('/healthz');
      const res = await (sent === undefined ? req : req.set('X-Request-Id', sent));
      expect(res.headers['x-request-id']).toMatch(UUID);
    }
    const a = await request(app.url).get('/healthz');
    const b = await request(app.url).get('/healthz');
    expect(a.headers['x-request-id']).not.toBe(b.headers['x-request-id']);
  });
});

describe('job ids', () => {
  it('when a job runs, then its log lines carry the job id and name', async () => {
    const channel = await makeWhatsappChannel(app.services.db, app.services.secretBox);
    const body = JSON.stringify(inboundText(channel.phoneNumberId, 'Hallo', { id: newWamid() }));
    const res = await postSignedWhatsapp(app.url, body, channel.appSecret);
    expect(res.status).toBe(200);
    const processed = await until('the job line', async () => lines().find((l) => l.msg === 'webhook deliveries drained'));
    expect(processed).toMatchObject({ job: 'drain-webhooks', jobId: expect.any(String) });
    expect(processed.reqId).toBeUndefined();
  });
});
