/**
 * Property-based fuzzing (fast-check, fixed seed) of the JSON API with a user token: every body of
 * every write endpoint and every query parameter of the list endpoints. Properties: never a 5xx; a 4xx
 * changes no table; valid inputs with odd but storable text are accepted.
 */
import fc from 'fast-check';
import request from 'supertest';
import { inboundPost, makeApiChannel, makeUser } from '../factories/factories';
import { changedTables, fuzzParams, hostileBody, hostileQuery, hostileString, mutatedObject, rawJson, storableText, tableDigest } from '../support/fuzz';
import { startTestApp, type TestApp } from '../support/testApp';

let app: TestApp;
let manager: Awaited<ReturnType<typeof makeUser>>;
let agent: Awaited<ReturnType<typeof makeUser>>;
let channel: Awaited<ReturnType<typeof makeApiChannel>>;

beforeAll(async () => {
  app = await startTestApp();
  manager = await makeUser(app.services.db, { role: 'manager' });
  agent = await makeUser(app.services.db, { role: 'agent' });
  channel = await makeApiChannel(app.services.db, app.services.secretBox);
});
afterAll(async () => {
  await app.stop();
});

const digest = () => tableDigest(app.services.pool);
type Res = request.Response;

async function newConversation(): Promise<string> {
  const res = await request(app.url).post(`/api/v1/channels/${channel.channelId}/messages`).auth(channel.ingestToken, { type: 'bearer' }).send(inboundPost());
  expect(res.status).toBe(201);
  return res.body.conversationId as string;
}

function send(method: 'post' | 'put' | 'patch', path: string, body: string, token = manager.token) {
  return request(app.url)[method](`/api/v1${path}`).set('content-type', 'application/json').auth(token, { type: 'bearer' }).send(body);
}

/** Never a 5xx; a 4xx answers JSON `{error}` and leaves every table as it was. */
async function expectSafe(run: () => Promise<Res>): Promise<Res> {
  const before = await digest();
  const res = await run();
  if (res.status >= 500) throw new Error(`answered ${res.status}: ${res.text.slice(0, 300)}`);
  if (res.status >= 400) {
    expect(typeof res.body.error).toBe('string');
    expect(changedTables(before, await digest())).toEqual([]);
  }
  return res;
}

type Endpoint = { name: string; method: 'post' | 'put' | 'patch'; path: () => string; valid: Record<string, unknown> };
const ids: { conversation: string; canned: string; calendar: string; policy: string } = { conversation: '', canned: '', calendar: '', policy: '' };
const calendar = {
  name: 'Fuzz-Kalender',
  timeZone: 'Europe/Berlin',
  weekly: { mon: [['09:00', '17:00']], fri: [['22:00', '02:00']] },
  holidays: { country: 'DE', region: 'BE' },
  closures: ['2026-12-31'],
};
const policy = { name: 'Fuzz-SLA', calendarId: null, firstResponseMinutes: 60, nextResponseMinutes: 120, resolutionMinutes: 1440, warnAtPercent: 80 };
const ENDPOINTS: Endpoint[] = [
  { name: 'reply', method: 'post', path: () => `/conversations/${ids.conversation}/replies`, valid: { text: 'Danke für die Nachricht' } },
  { name: 'assign', method: 'post', path: () => `/conversations/${ids.conversation}/assign`, valid: { assigneeId: null } },
  { name: 'status', method: 'post', path: () => `/conversations/${ids.conversation}/status`, valid: { status: 'saved', remindAt: '2099-01-01T00:00:00Z' } },
  { name: 'note', method: 'post', path: () => `/conversations/${ids.conversation}/notes`, valid: { text: 'intern' } },
  { name: 'tags', method: 'post', path: () => `/conversations/${ids.conversation}/tags`, valid: { add: ['lieferung'], remove: ['vip'] } },
  { name: 'priority', method: 'post', path: () => `/conversations/${ids.conversation}/priority`, valid: { priority: 'high' } },
  {
    name: 'canned create',
    method: 'post',
    path: () => '/canned-responses',
    valid: { title: 'Danke', shortcut: 'danke', body: 'Hallo {{contact.name}}', language: 'de', channelKinds: ['api'] },
  },
  {
    name: 'canned edit',
    method: 'post',
    path: () => `/canned-responses/${ids.canned}`,
    valid: { title: 'Danke', shortcut: 'fuzz-edit', body: 'Hallo', language: 'en', channelKinds: [] },
  },
  { name: 'calendar create', method: 'post', path: () => '/calendars', valid: calendar },
  { name: 'calendar change', method: 'put', path: () => `/calendars/${ids.calendar}`, valid: calendar },
  { name: 'policy create', method: 'post', path: () => '/sla-policies', valid: policy },
  { name: 'policy change', method: 'put', path: () => `/sla-policies/${ids.policy}`, valid: { ...policy, calendarId: null } },
  { name: 'channel SLA', method: 'patch', path: () => `/channels/${channel.channelId}`, valid: { calendarId: null, slaPolicyId: null } },
];

describe('write endpoints under fuzzing', () => {
  beforeAll(async () => {
    ids.conversation = await newConversation();
    const canned = await send('post', '/canned-responses', JSON.stringify({ title: 'Fuzz', shortcut: 'fuzz-canned', body: 'x' }));
    const cal = await send('post', '/calendars', JSON.stringify(calendar));
    const pol = await send('post', '/sla-policies', JSON.stringify(policy));
    expect([canned.status, cal.status, pol.status]).toEqual([201, 201, 201]);
    ({ id: ids.canned } = canned.body);
    ({ id: ids.calendar } = cal.body);
    ({ id: ids.policy } = pol.body);
  });

  it.each(ENDPOINTS.map((e) => [e.name, e] as const))(
    'when the %s body is arbitrary or a valid one with hostile fields, then no 5xx and a 4xx stores nothing',
    async (_name, e) => {
      const body = fc.oneof(hostileBody(), mutatedObject(e.valid).map(rawJson));
      await fc.assert(
        fc.asyncProperty(body, fc.boolean(), async (b, asAgent) => {
          await expectSafe(() => send(e.method, e.path(), b, asAgent ? agent.token : manager.token));
        }),
        fuzzParams(40),
      );
    },
  );

  it.each(ENDPOINTS.filter((e) => !e.name.endsWith('create')).map((e) => [e.name, e] as const))(
    'when the id in the %s path is hostile, then 404 (or 400) and nothing is stored',
    async (_name, e) => {
      const segment = hostileString()
        .map((s) => {
          try {
            return encodeURIComponent(s.slice(0, 200));
          } catch {
            return '%ED%A0%80';
          }
        })
        .filter((s) => s.length > 0 && !['.', '..', '%2e', '%2E'].includes(s));
      const template = e.path();
      const known = [ids.conversation, ids.canned, ids.calendar, ids.policy, channel.channelId].find((id) => template.includes(id));
      if (!known) throw new Error(`no id in ${template}`);
      await fc.assert(
        fc.asyncProperty(segment, async (seg) => {
          const res = await expectSafe(() => send(e.method, template.replace(known, seg), JSON.stringify(e.valid)));
          expect([400, 404]).toContain(res.status);
        }),
        fuzzParams(30),
      );
    },
  );
});

describe('valid inputs with odd text are accepted', () => {
  it('when a note or a reply is any storable unicode (emoji, RTL, combining marks, SQL), then it is stored trimmed, exactly', async () => {
    const conversationId = await newConversation();
    await fc.assert(
      fc.asyncProperty(storableText(5000), fc.constantFrom('notes', 'replies'), async (text, kind) => {
        const res = await send('post', `/conversations/${conversationId}/${kind}`, JSON.stringify({ text }));
        expect(res.status).toBe(kind === 'notes' ? 201 : 202);
        const stored = await app.services.db.selectFrom('messages').select('text').where('id', '=', res.body.messageId).executeTakeFirstOrThrow();
        expect(stored.text).toBe(text.trim());
      }),
      fuzzParams(40),
    );
  });

  it('when tags are 1–40 letters, digits, spaces, - or _ in any script, then they are added in lower case', async () => {
    const conversationId = await newConversation();
    const tag = fc.stringMatching(/^[\p{L}\p{N}][\p{L}\p{N} _-]{0,30}$/u).filter((t) => t.trim() === t && t.length > 0);
    await fc.assert(
      fc.asyncProperty(fc.array(tag, { minLength: 1, maxLength: 5 }), async (add) => {
        const res = await send('post', `/conversations/${conversationId}/tags`, JSON.stringify({ add }));
        if (res.status !== 200) throw new Error(`${res.status} ${res.text}`);
        for (const t of add) expect(res.body.tags).toContain(t.toLowerCase());
      }),
      fuzzParams(40),
    );
  });

  it('when a canned response has any storable title and body and a valid shortcut, then it is created and listed as sent', async () => {
    const shortcut = fc.stringMatching(/^[a-z0-9][a-z0-9_-]{0,30}$/);
    await fc.assert(
      fc.asyncProperty(storableText(120), storableText(10_000), shortcut, async (title, body, sc) => {
        const res = await send('post', '/canned-responses', JSON.stringify({ title, body, shortcut: `${sc}-${Math.random().toString(36).slice(2, 8)}` }));
        if (res.status !== 201) throw new Error(`${res.status} ${res.text}`);
        expect(res.body).toMatchObject({ title: title.trim(), body: body.trim() });
      }),
      fuzzParams(30),
    );
  });

  it('when a calendar or an SLA policy has any storable name and valid values, then it is created', async () => {
    await fc.assert(
      fc.asyncProperty(storableText(200), fc.integer({ min: 1, max: 525_600 }), fc.integer({ min: 1, max: 99 }), async (name, minutes, warn) => {
        const cal = await send('post', '/calendars', JSON.stringify({ ...calendar, name: name.trim() }));
        if (cal.status !== 201) throw new Error(`${cal.status} ${cal.text}`);
        const pol = await send(
          'post',
          '/sla-policies',
          JSON.stringify({ ...policy, name, calendarId: cal.body.id, firstResponseMinutes: minutes, warnAtPercent: warn }),
        );
        if (pol.status !== 201) throw new Error(`${pol.status} ${pol.text}`);
        expect(pol.body).toMatchObject({ name: name.trim(), firstResponseMinutes: minutes, warnAtPercent: warn });
      }),
      fuzzParams(30),
    );
  });
});

describe('query parameters under fuzzing', () => {
  beforeAll(async () => {
    for (let i = 0; i < 3; i += 1) await newConversation();
  });
  const get = (path: string, token = manager.token) => request(app.url).get(`/api/v1${path}`).auth(token, { type: 'bearer' });

  it('when GET /conversations has arbitrary status, channelId, assigneeId, q, tag, sort, limit and offset, then 200 or 400, and nothing changes', async () => {
    const valid = {
      status: fc.constantFrom('all', 'open', 'new', 'new,closed', 'saved,assigned'),
      sort: fc.constantFrom('newest', 'oldest', 'due'),
      assigneeId: fc.constantFrom('me', 'none', ''),
      limit: fc.integer({ min: -5, max: 300 }).map(String),
      offset: fc.integer({ min: -1, max: 200_000 }).map(String),
    };
    await fc.assert(
      fc.asyncProperty(hostileQuery(['status', 'channelId', 'assigneeId', 'q', 'tag', 'sort', 'limit', 'offset'], valid), async (qs) => {
        const res = await expectSafe(() => get(`/conversations?${qs}`));
        expect([200, 400]).toContain(res.status);
        if (res.status === 200) expect(Array.isArray(res.body.conversations)).toBe(true);
        else expect(res.body.fields).toEqual(expect.any(Object));
      }),
      fuzzParams(100),
    );
  });

  it('when GET /conversations has only valid filters, then it answers 200', async () => {
    const q = fc.record(
      {
        status: fc.constantFrom('all', 'open', 'new', 'assigned', 'answered,closed', 'saved'),
        sort: fc.constantFrom('newest', 'oldest', 'due'),
        assigneeId: fc.constantFrom('me', 'none', manager.id),
        channelId: fc.constant(channel.channelId),
        q: storableText(200),
        tag: fc.stringMatching(/^[a-z0-9]{1,20}$/),
        limit: fc.integer({ min: 1, max: 200 }).map(String),
        offset: fc.integer({ min: 0, max: 100_000 }).map(String),
      },
      { requiredKeys: [] },
    );
    await fc.assert(
      fc.asyncProperty(q, async (params) => {
        const res = await get(`/conversations?${new URLSearchParams(params as Record<string, string>)}`);
        if (res.status !== 200) throw new Error(`${res.status} ${res.text}`);
      }),
      fuzzParams(60),
    );
  });

  it('when GET /audit has arbitrary subjectId, actorId, from, to, beforeSeq, action, subjectType, channelId and limit, then 200 or 400, and nothing changes', async () => {
    const valid = {
      from: fc.date({ min: new Date('1900-01-01'), max: new Date('2200-01-01'), noInvalidDate: true }).map((d) => d.toISOString()),
      to: fc.constantFrom('2026-11-23', '0000-01-01', '9999-12-31', '2026-02-30', '2026-11-23T10:00:00+14:00'),
      beforeSeq: fc.bigInt({ min: -1n, max: 10n ** 19n }).map(String),
      limit: fc.integer({ min: -1, max: 2000 }).map(String),
      action: fc.constantFrom('conversation.assigned', 'a.b.c', 'x'),
      subjectId: fc.uuid(),
    };
    await fc.assert(
      fc.asyncProperty(hostileQuery(['subjectId', 'actorId', 'from', 'to', 'beforeSeq', 'action', 'subjectType', 'channelId', 'limit'], valid), async (qs) => {
        const res = await expectSafe(() => get(`/audit?${qs}`));
        expect([200, 400]).toContain(res.status);
        if (res.status === 200) expect(Array.isArray(res.body.events)).toBe(true);
      }),
      fuzzParams(80),
    );
  });

  it('when GET /audit.csv has arbitrary filters, then 200 (which records the export, one audit event) or 400 (which records nothing)', async () => {
    const valid = { from: fc.constantFrom('2026-01-01', '2026-01-01T00:00:00Z', '99999-01-01'), beforeSeq: fc.constantFrom('1', '999999999999999999') };
    await fc.assert(
      fc.asyncProperty(hostileQuery(['subjectId', 'actorId', 'from', 'to', 'beforeSeq', 'action', 'channelId'], valid), async (qs) => {
        const before = await digest();
        const res = await get(`/audit.csv?${qs}`);
        expect([200, 400]).toContain(res.status);
        const changed = changedTables(before, await digest());
        expect(changed).toEqual(res.status === 200 ? ['audit_events'] : []);
      }),
      fuzzParams(40),
    );
  });

  it('when GET /reports/sla has arbitrary from, to, channelId, topicId, granularity, timeZone, preset, compare and goal, then 200 or 400, and nothing changes', async () => {
    const valid = {
      from: fc.constantFrom('2026-11-01', '2026-11-01T00:00:00Z', '1970-01-01', '2026-02-30', '2026-13-01'),
      to: fc.constantFrom('2026-11-23', '2026-11-23T23:00:00+01:00', '9999-12-31', '2026-10-01'),
      granularity: fc.constantFrom('hour', 'day', 'week', 'month'),
      timeZone: fc.constantFrom('Europe/Berlin', 'UTC', 'Etc/GMT+14', 'Mars/Olympus', 'America/New_York'),
      goal: fc.constantFrom('1', '100', '0', '101', '1e2', '50.5'),
      compare: fc.constantFrom('1', 'true', '0', ''),
      preset: fc.constantFrom('last7', 'last30', 'thisWeek', 'nope'),
    };
    await fc.assert(
      fc.asyncProperty(hostileQuery(['from', 'to', 'channelId', 'topicId', 'granularity', 'timeZone', 'preset', 'compare', 'goal'], valid), async (qs) => {
        const res = await expectSafe(() => get(`/reports/sla?${qs}`));
        expect([200, 400]).toContain(res.status);
      }),
      fuzzParams(60),
    );
  });
});
