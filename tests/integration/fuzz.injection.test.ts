/**
 * SQL and LIKE fragments in every search and filter parameter, through the API and the console pages:
 * the answer is results or a 400, never a 5xx; a fragment never widens a result; every table still
 * exists with the same rows afterwards. (workflow.test.ts covers q and tag on the API list; this
 * covers the other filters, the console pages, the audit log and the reports.)
 */
import request from 'supertest';
import type TestAgent from 'supertest/lib/agent';
import { inboundPost, makeApiChannel, makeUser } from '../factories/factories';
import { csrfFrom } from '../support/csrf';
import { changedTables, SQL_FRAGMENTS, tableDigest } from '../support/fuzz';
import { startTestApp, type TestApp } from '../support/testApp';

let app: TestApp;
let manager: Awaited<ReturnType<typeof makeUser>>;
let consoleAgent: TestAgent;
let total: number;

beforeAll(async () => {
  app = await startTestApp();
  manager = await makeUser(app.services.db, { role: 'manager' });
  const channel = await makeApiChannel(app.services.db, app.services.secretBox);
  for (const text of ['Paket beschädigt', 'Rechnung doppelt', 'Where is my order?']) {
    const res = await request(app.url)
      .post(`/api/v1/channels/${channel.channelId}/messages`)
      .auth(channel.ingestToken, { type: 'bearer' })
      .send(inboundPost({ text }));
    expect(res.status).toBe(201);
  }
  const res = await request(app.url)
    .post(`/api/v1/conversations/${(await listAll())[0]!.id}/tags`)
    .auth(manager.token, { type: 'bearer' })
    .send({ add: ['vip'] });
  expect(res.status).toBe(200);
  total = (await listAll()).length;
  consoleAgent = request.agent(app.url);
  const login = await consoleAgent.get('/login');
  const signedIn = await consoleAgent
    .post('/login')
    .set('X-Forwarded-For', '198.51.100.77')
    .type('form')
    .send({ _csrf: csrfFrom(login.text), email: manager.email, password: manager.password });
  expect(signedIn.status).toBe(302);
});
afterAll(async () => {
  await app.stop();
});

async function listAll(): Promise<{ id: string }[]> {
  const res = await request(app.url).get('/api/v1/conversations?status=all&limit=200').auth(manager.token, { type: 'bearer' });
  return res.body.conversations;
}

const TABLES = ['messages', 'conversations', 'users', 'audit_events', 'tags', 'conversation_tags', 'channels', 'api_tokens'];
async function tablesExist(): Promise<string[]> {
  const { rows } = await app.services.pool.query<{ t: string | null }>(`SELECT to_regclass(name) AS t FROM unnest($1::text[]) AS name`, [TABLES]);
  return rows.map((r) => r.t).filter((t): t is string => t !== null);
}

const FRAGMENTS = [
  ...SQL_FRAGMENTS,
  "x' OR 'x'='x",
  '1 OR 1=1',
  "' AND pg_sleep(3) IS NULL --",
  "'||(SELECT current_user)||'",
  'vip%',
  'v_p',
  '\\\\',
  '%%',
  '%00',
  'a\u0000b',
];
const API_FILTERS: Record<string, string[]> = {
  '/api/v1/conversations?status=all': ['q', 'tag', 'status', 'sort', 'channelId', 'assigneeId', 'limit', 'offset'],
  '/api/v1/audit?x=1': ['subjectId', 'actorId', 'action', 'subjectType', 'channelId', 'from', 'to', 'beforeSeq', 'limit'],
  '/api/v1/audit.csv?x=1': ['subjectId', 'action', 'subjectType', 'from'],
  '/api/v1/reports/sla?x=1': ['channelId', 'topicId', 'granularity', 'timeZone', 'from', 'to', 'preset', 'goal'],
};
const PAGE_FILTERS: Record<string, string[]> = {
  '/inbox?x=1': ['q', 'tag', 'status', 'sort', 'channelId', 'assigneeId', 'offset'],
  '/audit?x=1': ['subjectId', 'actorId', 'action', 'subjectType', 'channelId', 'from', 'beforeSeq'],
  '/reports/sla?x=1': ['channelId', 'topicId', 'granularity', 'timeZone', 'from', 'to'],
};

describe('injection attempts in filters', () => {
  it.each(Object.entries(API_FILTERS))(
    'when every filter of %s carries SQL fragments, then 200 or 400, never a 5xx, and no table changes (exports only audit themselves)',
    async (base, params) => {
      const before = await tableDigest(app.services.pool);
      const statuses = new Set<number>();
      for (const param of params) {
        for (const evil of FRAGMENTS) {
          const res = await request(app.url)
            .get(`${base}&${param}=${encodeURIComponent(evil)}`)
            .auth(manager.token, { type: 'bearer' });
          if (![200, 400].includes(res.status)) throw new Error(`${param}=${evil} answered ${res.status}: ${res.text.slice(0, 200)}`);
          expect(res.text).not.toMatch(/syntax error|pg_|relation "|column "/i);
          statuses.add(res.status);
        }
      }
      expect(statuses.has(400)).toBe(true); // the fragments are refused by validation, not only ignored
      expect(changedTables(before, await tableDigest(app.services.pool))).toEqual(base.includes('.csv') ? ['audit_events'] : []);
      expect(await tablesExist()).toEqual(TABLES);
    },
  );

  it.each(Object.entries(PAGE_FILTERS))(
    'when every filter of the console page %s carries SQL fragments, then 200 or 400, never a 5xx, and no table changes',
    async (base, params) => {
      const before = await tableDigest(app.services.pool);
      for (const param of params) {
        for (const evil of FRAGMENTS) {
          const res = await consoleAgent.get(`${base}&${param}=${encodeURIComponent(evil)}`);
          if (![200, 400].includes(res.status)) throw new Error(`${param}=${evil} answered ${res.status}: ${res.text.slice(0, 200)}`);
        }
      }
      expect(changedTables(before, await tableDigest(app.services.pool))).toEqual([]);
      expect(await tablesExist()).toEqual(TABLES);
    },
  );

  it.each(FRAGMENTS.map((f) => [f]))('when q or tag is %s, then the list is never wider than a plain search (no fragment matches everything)', async (evil) => {
    for (const param of ['q', 'tag']) {
      const res = await request(app.url)
        .get(`/api/v1/conversations?status=all&limit=200&${param}=${encodeURIComponent(evil)}`)
        .auth(manager.token, { type: 'bearer' });
      expect([200, 400]).toContain(res.status);
      if (res.status === 200) expect(res.body.conversations.length).toBeLessThan(total);
    }
  });

  it('when tag is a LIKE pattern that would match "vip" (vip%, v_p, %), then it matches nothing, while tag=vip matches', async () => {
    const count = async (tag: string) =>
      (
        await request(app.url)
          .get(`/api/v1/conversations?status=all&tag=${encodeURIComponent(tag)}`)
          .auth(manager.token, { type: 'bearer' })
      ).body.conversations.length;
    expect(await count('vip')).toBe(1);
    for (const pattern of ['vip%', 'v_p', '%', '_ip']) expect(await count(pattern)).toBe(0);
  });
});
