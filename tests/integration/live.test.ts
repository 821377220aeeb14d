/** GET /events: a signed-in console hears about a new conversation and a delivery change over SSE. */
import http from 'node:http';
import request from 'supertest';
import { deactivateUser } from '../../server/domain/users/userAccess';
import { systemActor } from '../../server/domain/audit/actor';
import { inTransaction } from '../../server/domain/effects';
import { inboundPost, makeApiChannel, makeUser } from '../factories/factories';
import { startTestAppWithReceiver, type TestApp } from '../support/testApp';
import type { WebhookReceiver } from '../support/webhookReceiver';

let app: TestApp;
let hooks: WebhookReceiver;
let stop: () => Promise<void>;
beforeAll(async () => ({ app, hooks, stop } = await startTestAppWithReceiver()));
afterAll(() => stop());

type SseEvent = { event: string; data: string };
type SseStream = {
  status: number;
  headers: http.IncomingHttpHeaders;
  events: SseEvent[];
  /** Settles when the server ends the stream. */
  ended: Promise<void>;
  waitFor(match: (e: SseEvent) => boolean, timeoutMs?: number): Promise<SseEvent>;
  close(): void;
};

/** Opens the stream and parses `event:`/`data:` blocks as they arrive. */
function openEvents(cookie: string): Promise<SseStream> {
  return new Promise((resolve, reject) => {
    const req = http.get(`${app.url}/events`, { headers: { cookie, accept: 'text/event-stream' } }, (res) => {
      const events: SseEvent[] = [];
      const waiters: { match: (e: SseEvent) => boolean; resolve: (e: SseEvent) => void }[] = [];
      let buffer = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        buffer += chunk;
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const event = { event: 'message', data: '' };
          for (const line of block.split('\n')) {
            if (line.startsWith('event: ')) event.event = line.slice(7);
            else if (line.startsWith('data: ')) event.data += line.slice(6);
          }
          if (!event.data) continue; // comments and heartbeats
          events.push(event);
          for (const w of waiters.filter((x) => x.match(event))) {
            waiters.splice(waiters.indexOf(w), 1);
            w.resolve(event);
          }
        }
      });
      const ended = new Promise<void>((done) => res.once('end', () => done()));
      resolve({
        status: res.statusCode ?? 0,
        headers: res.headers,
        events,
        ended,
        waitFor(match, timeoutMs = 5_000) {
          const seen = events.find(match);
          if (seen) return Promise.resolve(seen);
          return new Promise((ok, fail) => {
            const timer = setTimeout(() => fail(new Error(`no matching event within ${timeoutMs} ms; got ${JSON.stringify(events)}`)), timeoutMs);
            waiters.push({
              match,
              resolve: (e) => {
                clearTimeout(timer);
                ok(e);
              },
            });
          });
        },
        close: () => req.destroy(),
      });
    });
    req.on('error', reject);
  });
}

async function sessionCookie(): Promise<string> {
  return (await signedIn()).cookie;
}

async function signedIn(): Promise<{ cookie: string; user: Awaited<ReturnType<typeof makeUser>> }> {
  const user = await makeUser(app.services.db, { role: 'agent' });
  const agent = request.agent(app.url);
  const login = await agent.get('/login');
  const csrf = /name="_csrf" value="([^"]+)"/.exec(login.text)?.[1];
  const res = await agent.post('/login').set('X-Forwarded-For', '203.0.113.80').type('form').send({ _csrf: csrf, email: user.email, password: user.password });
  const cookie = ([] as string[]).concat(res.headers['set-cookie'] ?? []).find((c) => c.startsWith('rl_session='));
  if (!cookie) throw new Error('no session cookie after sign-in');
  return { cookie: cookie.split(';')[0]!, user };
}

const about = (conversationId: string, change: string) => (e: SseEvent) =>
  e.event === 'conversation' &&
  (JSON.parse(e.data) as { conversationId: string; change: string }).conversationId === conversationId &&
  (JSON.parse(e.data) as { change: string }).change === change;

it('when a post is ingested and its reply is delivered, then an open console receives `event: conversation` for both', async () => {
  const stream = await openEvents(await sessionCookie());
  try {
    expect(stream.status).toBe(200);
    expect(stream.headers['content-type']).toContain('text/event-stream');
    const channel = await makeApiChannel(app.services.db, app.services.secretBox, { webhookUrl: hooks.url });
    const ingested = await request(app.url)
      .post(`/api/v1/channels/${channel.channelId}/messages`)
      .auth(channel.ingestToken, { type: 'bearer' })
      .send(inboundPost());
    const conversationId: string = ingested.body.conversationId;
    const created = await stream.waitFor(about(conversationId, 'message'));
    expect(JSON.parse(created.data)).toEqual({ type: 'conversation', conversationId, channelId: channel.channelId, change: 'message' });
    expect(stream.events.some((e) => e.event === `conv-${conversationId}`)).toBe(true);

    const manager = await makeUser(app.services.db, { role: 'manager' });
    const reply = await request(app.url)
      .post(`/api/v1/conversations/${conversationId}/replies`)
      .auth(manager.token, { type: 'bearer' })
      .send({ text: 'Ist erledigt.' });
    expect(reply.status).toBe(202);
    await stream.waitFor(about(conversationId, 'delivery'));
    const { deliveryState } = await app.services.db
      .selectFrom('messages')
      .select('deliveryState')
      .where('id', '=', reply.body.messageId)
      .executeTakeFirstOrThrow();
    expect(deliveryState).toBe('sent');
  } finally {
    stream.close();
  }
});

it('when nobody is signed in, then /events redirects to the sign-in page instead of streaming', async () => {
  const res = await request(app.url).get('/events');
  expect(res.status).toBe(302);
  expect(res.headers.location).toMatch(/^\/login/);
});

it("when a person is deactivated while their console listens, then their stream ends (the browser asks again and is refused), and a colleague's stays", async () => {
  const { cookie, user } = await signedIn();
  const colleague = await openEvents(await sessionCookie());
  const stream = await openEvents(cookie);
  expect(stream.status).toBe(200);
  await inTransaction(app.services.db, app.services.dispatcher, (tx, effects) => deactivateUser(tx, effects, user.id, systemActor('test')));
  await stream.ended;
  expect((await request(app.url).get('/events').set('cookie', cookie)).status).toBe(302);

  const channel = await makeApiChannel(app.services.db, app.services.secretBox);
  const ingested = await request(app.url)
    .post(`/api/v1/channels/${channel.channelId}/messages`)
    .auth(channel.ingestToken, { type: 'bearer' })
    .send(inboundPost());
  await colleague.waitFor(about(ingested.body.conversationId, 'message'));
  colleague.close();
});
