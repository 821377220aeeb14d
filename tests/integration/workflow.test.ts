/** Case workflow through the API: assignment under row locks, status rules, reminders, notes, tags, search, audit export. */
import request from 'supertest';
import { makeApiChannel, makeUser, inboundPost } from '../factories/factories';
import { startTestAppWithReceiver, type TestApp } from '../support/testApp';
import type { WebhookReceiver } from '../support/webhookReceiver';

let app: TestApp;
let hooks: WebhookReceiver;
let stop: () => Promise<void>;
type Made = Awaited<ReturnType<typeof makeUser>>;
let agent: Made;
let colleague: Made;
let manager: Made;
let auditor: Made;
let channel: Awaited<ReturnType<typeof makeApiChannel>>;

beforeAll(async () => {
  ({ app, hooks, stop } = await startTestAppWithReceiver());
  const db = app.services.db;
  agent = await makeUser(db, { role: 'agent', name: 'Lena Vogt', email: `lena-${Date.now()}@example.test` });
  colleague = await makeUser(db, { role: 'agent', name: 'Paul Weber' });
  manager = await makeUser(db, { role: 'manager', name: 'Jonas Berger' });
  auditor = await makeUser(db, { role: 'auditor', name: 'Miriam Kaya' });
  channel = await makeApiChannel(db, app.services.secretBox, { webhookUrl: hooks.url });
});
afterAll(() => stop());

const api = (token: string) => ({
  get: (path: string) => request(app.url).get(`/api/v1${path}`).auth(token, { type: 'bearer' }),
  post: (path: string, body: object) => request(app.url).post(`/api/v1${path}`).auth(token, { type: 'bearer' }).send(body),
});

async function ingest(overrides: Parameters<typeof inboundPost>[0] = {}) {
  const res = await request(app.url)
    .post(`/api/v1/channels/${channel.channelId}/messages`)
    .auth(channel.ingestToken, { type: 'bearer' })
    .send(inboundPost(overrides));
  expect(res.status).toBe(201);
  return res.body as { conversationId: string; messageId: string; caseNumber: string };
}

const conversationRow = (id: string) => app.services.db.selectFrom('conversations').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
const auditActions = async (id: string) =>
  await app.services.db.selectFrom('auditEvents').select(['action', 'actorId', 'before', 'after']).where('subjectId', '=', id).orderBy('seq').execute();

describe('assignment', () => {
  it('when two agents assign themselves at once with the same form version, then exactly one wins and the other gets 409 naming the winner', async () => {
    const { conversationId } = await ingest();
    const version = (await conversationRow(conversationId)).updatedAt.toISOString();
    const [a, b] = await Promise.all([
      api(agent.token).post(`/conversations/${conversationId}/assign`, { assigneeId: agent.id, version }),
      api(colleague.token).post(`/conversations/${conversationId}/assign`, { assigneeId: colleague.id, version }),
    ]);
    expect([a.status, b.status].sort()).toEqual([200, 409]);
    const winner = a.status === 200 ? agent : colleague;
    const loser = a.status === 200 ? b : a;
    expect(loser.body.error).toContain(`changed meanwhile by ${winner.name}`);
    const row = await conversationRow(conversationId);
    expect(row.assigneeId).toBe(winner.id);
    expect(row.status).toBe('assigned');
    const assigned = (await auditActions(conversationId)).filter((e) => e.action === 'conversation.assigned');
    expect(assigned).toHaveLength(1);
    expect(assigned[0]).toMatchObject({
      actorId: winner.id,
      before: { assigneeId: null, status: 'new' },
      after: { assigneeId: winner.id, status: 'assigned' },
    });
  });

  it('when many assignments without a version race, then every one is applied in turn and audited with a consistent before/after chain', async () => {
    const { conversationId } = await ingest();
    const people = [agent, colleague, manager];
    const results = await Promise.all(people.map((p) => api(p.token).post(`/conversations/${conversationId}/assign`, { assigneeId: p.id })));
    expect(results.map((r) => r.status)).toEqual([200, 200, 200]);
    const events = (await auditActions(conversationId)).filter((e) => e.action === 'conversation.assigned');
    // Row locks serialise them: each event's "before" is the previous event's "after".
    for (let i = 1; i < events.length; i++)
      expect((events[i]!.before as { assigneeId: string }).assigneeId).toBe((events[i - 1]!.after as { assigneeId: string }).assigneeId);
  });

  it('when a form is stale, then 409 and nothing changes', async () => {
    const { conversationId } = await ingest();
    const stale = (await conversationRow(conversationId)).updatedAt.toISOString();
    expect((await api(manager.token).post(`/conversations/${conversationId}/assign`, { assigneeId: manager.id })).status).toBe(200);
    const res = await api(agent.token).post(`/conversations/${conversationId}/status`, { status: 'closed', version: stale });
    expect(res.status).toBe(409);
    expect(res.body.error).toContain('changed meanwhile by Jonas Berger');
    expect((await conversationRow(conversationId)).status).toBe('assigned');
  });

  it('when assigning to an unknown user, an auditor, or by an auditor, then 400/403 and nothing changes', async () => {
    const { conversationId } = await ingest();
    expect((await api(agent.token).post(`/conversations/${conversationId}/assign`, { assigneeId: '00000000-0000-4000-8000-000000000000' })).status).toBe(400);
    expect((await api(agent.token).post(`/conversations/${conversationId}/assign`, { assigneeId: auditor.id })).status).toBe(400);
    expect((await api(auditor.token).post(`/conversations/${conversationId}/assign`, { assigneeId: auditor.id })).status).toBe(403);
    expect((await api(agent.token).post(`/conversations/not-a-uuid/assign`, { assigneeId: null })).status).toBe(404);
    expect((await conversationRow(conversationId)).assigneeId).toBeNull();
  });

  it('when unassigning, then an assigned conversation goes back to new', async () => {
    const { conversationId } = await ingest();
    await api(agent.token).post(`/conversations/${conversationId}/assign`, { assigneeId: agent.id });
    const res = await api(agent.token).post(`/conversations/${conversationId}/assign`, { assigneeId: null });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 'new', assigneeId: null });
    expect((await auditActions(conversationId)).map((e) => e.action)).toContain('conversation.unassigned');
  });
});

describe('status changes', () => {
  it('when a transition is not allowed, then 409 lists the allowed ones and nothing changes', async () => {
    const { conversationId } = await ingest();
    await api(agent.token).post(`/conversations/${conversationId}/status`, { status: 'closed', reason: 'duplicate' });
    const res = await api(agent.token).post(`/conversations/${conversationId}/status`, { status: 'saved' });
    expect(res.status).toBe(409);
    expect(res.body.allowed).toEqual(['new', 'assigned', 'answered']);
    expect(res.body.error).toContain('allowed: new, assigned, answered');
    const row = await conversationRow(conversationId);
    expect(row).toMatchObject({ status: 'closed', closeReason: 'duplicate' });
  });

  it('when an unknown status or a reason on a non-close is sent, then 400', async () => {
    const { conversationId } = await ingest();
    expect((await api(agent.token).post(`/conversations/${conversationId}/status`, { status: 'done' })).status).toBe(400);
    expect((await api(agent.token).post(`/conversations/${conversationId}/status`, { status: 'saved', reason: 'x' })).status).toBe(400);
    expect((await api(agent.token).post(`/conversations/${conversationId}/status`, { status: 'saved', remindAt: '2001-01-01T00:00:00Z' })).status).toBe(400);
    expect((await conversationRow(conversationId)).status).toBe('new');
  });

  it('when an auditor tries to close, then 403', async () => {
    const { conversationId } = await ingest();
    expect((await api(auditor.token).post(`/conversations/${conversationId}/status`, { status: 'closed' })).status).toBe(403);
  });

  it('when a saved conversation reaches its reminder time, then the worker (via Redis) brings it back to assigned, audited by the reminder worker', async () => {
    const { conversationId } = await ingest();
    await api(agent.token).post(`/conversations/${conversationId}/assign`, { assigneeId: agent.id });
    const remindAt = new Date(Date.now() + 1200).toISOString();
    const res = await api(agent.token).post(`/conversations/${conversationId}/status`, { status: 'saved', remindAt });
    expect(res.status).toBe(200);
    expect((await conversationRow(conversationId)).status).toBe('saved');
    const row = await waitFor(async () => {
      const r = await conversationRow(conversationId);
      return r.status !== 'saved' ? r : null;
    });
    expect(row).toMatchObject({ status: 'assigned', remindAt: null });
    const due = (await auditActions(conversationId)).filter((e) => e.action === 'conversation.reminder_due');
    expect(due).toHaveLength(1);
  });

  it('when a conversation is reopened by hand, then it goes to assigned if it has an assignee', async () => {
    const { conversationId } = await ingest();
    await api(agent.token).post(`/conversations/${conversationId}/assign`, { assigneeId: agent.id });
    await api(agent.token).post(`/conversations/${conversationId}/status`, { status: 'closed' });
    const res = await api(agent.token).post(`/conversations/${conversationId}/status`, { status: 'reopen' });
    expect(res.status).toBe(200);
    expect(res.body.status).toBe('assigned');
  });
});

describe('internal notes', () => {
  it('when an agent writes a note mentioning a colleague, then it is stored but not sent, the status is unchanged, and the colleague is notified', async () => {
    const { conversationId } = await ingest();
    const hooksBefore = hooks.received.length;
    const res = await api(agent.token).post(`/conversations/${conversationId}/notes`, { text: '@paul kannst du das übernehmen? @nobody' });
    expect(res.status).toBe(201);
    expect(res.body.mentioned).toEqual([{ id: colleague.id, name: 'Paul Weber' }]);
    const conv = await api(agent.token).get(`/conversations/${conversationId}`);
    expect(conv.body.status).toBe('new');
    const note = conv.body.messages.find((m: { id: string }) => m.id === res.body.messageId);
    expect(note).toMatchObject({ direction: 'note', delivery: null });
    const notes = await api(colleague.token).get('/notifications');
    expect(notes.body.notifications[0]).toMatchObject({ conversationId, actorName: 'Lena Vogt' });
    expect((await api(agent.token).get('/notifications')).body.notifications).toHaveLength(0);
    await new Promise((r) => setTimeout(r, 300));
    expect(hooks.received.length).toBe(hooksBefore);
    expect((await auditActions(conversationId)).map((e) => e.action)).toContain('note.added');
  });

  it('when a note is empty, then 400 and nothing is stored', async () => {
    const { conversationId } = await ingest();
    expect((await api(agent.token).post(`/conversations/${conversationId}/notes`, { text: '   ' })).status).toBe(400);
    const notes = await app.services.db
      .selectFrom('messages')
      .select('id')
      .where('conversationId', '=', conversationId)
      .where('direction', '=', 'note')
      .execute();
    expect(notes).toHaveLength(0);
  });
});

describe('replies colliding', () => {
  it('when two agents reply having seen the same last message, then the second is refused with 409 naming the first', async () => {
    const { conversationId, messageId } = await ingest();
    const [a, b] = await Promise.all([
      api(agent.token).post(`/conversations/${conversationId}/replies`, { text: 'Antwort A', lastSeenMessageId: messageId }),
      api(colleague.token).post(`/conversations/${conversationId}/replies`, { text: 'Antwort B', lastSeenMessageId: messageId }),
    ]);
    expect([a.status, b.status].sort()).toEqual([202, 409]);
    const loser = a.status === 409 ? a : b;
    const winnerName = a.status === 202 ? 'Lena Vogt' : 'Paul Weber';
    expect(loser.body.error).toBe(`${winnerName} replied meanwhile — read their reply first`);
    const outbound = await app.services.db
      .selectFrom('messages')
      .select('id')
      .where('conversationId', '=', conversationId)
      .where('direction', '=', 'outbound')
      .execute();
    expect(outbound).toHaveLength(1);
  });
});

describe('tags, search and sort', () => {
  it('when tags are added and removed, then the list reflects it, the inbox filters by tag, and it is audited', async () => {
    const { conversationId } = await ingest();
    const res = await api(agent.token).post(`/conversations/${conversationId}/tags`, { add: ['Lieferung', 'vip'], remove: [] });
    expect(res.body.tags).toEqual(['lieferung', 'vip']);
    const res2 = await api(agent.token).post(`/conversations/${conversationId}/tags`, { add: [], remove: ['vip'] });
    expect(res2.body.tags).toEqual(['lieferung']);
    const list = await api(agent.token).get('/conversations?status=all&tag=lieferung&limit=200');
    expect(list.body.conversations.map((c: { id: string }) => c.id)).toContain(conversationId);
    const none = await api(agent.token).get('/conversations?status=all&tag=vip&limit=200');
    expect(none.body.conversations.map((c: { id: string }) => c.id)).not.toContain(conversationId);
    expect((await auditActions(conversationId)).filter((e) => e.action === 'conversation.tagged')).toHaveLength(2);
    expect((await api(agent.token).post(`/conversations/${conversationId}/tags`, { add: ['<script>'] })).status).toBe(400);
  });

  it('when searching "Bestellungen", then a conversation with "Bestellung" is found (German stemming), and English stemming works too', async () => {
    const marker = `zq${Date.now().toString(36)}`;
    const de = await ingest({ text: `Wo ist meine Bestellung ${marker}?` });
    const en = await ingest({ text: `My orders never arrived ${marker}` });
    const other = await ingest({ text: `Frage zur Rechnung ${marker}` });
    const found = async (q: string) =>
      (await api(agent.token).get(`/conversations?status=all&limit=200&q=${encodeURIComponent(q)}`)).body.conversations.map((c: { id: string }) => c.id);
    const bestellungen = await found(`Bestellungen ${marker}`);
    expect(bestellungen).toContain(de.conversationId);
    expect(bestellungen).not.toContain(other.conversationId);
    expect(await found(`order ${marker}`)).toContain(en.conversationId);
  });

  it('when sorting oldest first, then the list is in ascending last-message order', async () => {
    const res = await api(agent.token).get('/conversations?status=all&sort=oldest&limit=50');
    const times = res.body.conversations.map((c: { lastMessageAt: string }) => Date.parse(c.lastMessageAt));
    expect(times).toEqual([...times].sort((a, b) => a - b));
  });

  it.each([["' OR 1=1 --"], ['"); DROP TABLE messages; --'], ['\\'], ['!!! & | <-> :*'], ['%_%'], ["tag'); DELETE FROM tags; --"]])(
    'when q or tag is an injection attempt (%s), then results or 400, never 500',
    async (evil) => {
      for (const param of ['q', 'tag']) {
        const res = await api(agent.token).get(`/conversations?status=all&${param}=${encodeURIComponent(evil)}`);
        expect([200, 400]).toContain(res.status);
      }
      expect(
        Number(
          (
            await app.services.db
              .selectFrom('messages')
              .select((eb) => eb.fn.countAll<string>().as('n'))
              .executeTakeFirstOrThrow()
          ).n,
        ),
      ).toBeGreaterThan(0);
    },
  );
});

describe('canned responses', () => {
  it('when a manager creates one, then agents can list it, an agent may not create one, and the change is audited', async () => {
    const shortcut = `danke${Date.now().toString(36)}`;
    const res = await api(manager.token).post('/canned-responses', {
      title: 'Danke',
      shortcut,
      body: 'Hallo {{contact.name}}, danke! {{agent.firstName}}',
      language: 'de',
      channelKinds: ['api'],
    });
    expect(res.status).toBe(201);
    expect((await api(agent.token).post('/canned-responses', { title: 'x', shortcut: `${shortcut}x`, body: 'y' })).status).toBe(403);
    expect((await api(manager.token).post('/canned-responses', { title: 'Dup', shortcut, body: 'y' })).status).toBe(409);
    const list = await api(agent.token).get('/canned-responses');
    expect(list.body.cannedResponses.map((c: { shortcut: string }) => c.shortcut)).toContain(shortcut);
    const edited = await api(manager.token).post(`/canned-responses/${res.body.id}`, { title: 'Danke!', shortcut, body: 'Neu', language: 'de' });
    expect(edited.status).toBe(200);
    const events = await app.services.db
      .selectFrom('auditEvents')
      .select(['action', 'before', 'after'])
      .where('subjectId', '=', res.body.id)
      .orderBy('seq')
      .execute();
    expect(events.map((e) => e.action)).toEqual(['canned_response.created', 'canned_response.updated']);
    expect(events[1]).toMatchObject({ before: { title: 'Danke' }, after: { title: 'Danke!', body: 'Neu' } });
  });
});

describe('audit export', () => {
  it('when an auditor exports the CSV for a conversation, then it lists the events and the export itself is audited; agents get 403', async () => {
    const { conversationId } = await ingest();
    await api(agent.token).post(`/conversations/${conversationId}/assign`, { assigneeId: agent.id });
    const res = await api(auditor.token).get(`/audit.csv?subjectId=${conversationId}`);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toContain('text/csv');
    const lines = res.text
      .replace(/^\uFEFF/, '')
      .trim()
      .split('\r\n');
    expect(lines[0]).toBe('seq,occurred_at,actor_type,actor_id,actor_label,ip,action,subject_type,subject_id,channel_id,before,after,hash');
    expect(lines.some((l) => l.includes('conversation.assigned') && l.includes(agent.id))).toBe(true);
    const exported = await app.services.db
      .selectFrom('auditEvents')
      .select(['actorId', 'after'])
      .where('action', '=', 'audit.exported')
      .orderBy('seq', 'desc')
      .limit(1)
      .executeTakeFirstOrThrow();
    expect(exported.actorId).toBe(auditor.id);
    expect(exported.after).toMatchObject({ filters: { subjectId: conversationId }, rows: lines.length - 1 });
    expect((await api(agent.token).get('/audit.csv')).status).toBe(403);
  });

  it('when the audit API is filtered by action and channel, then only matching events come back', async () => {
    const res = await api(auditor.token).get(`/audit?action=conversation.assigned&channelId=${channel.channelId}&limit=50`);
    expect(res.status).toBe(200);
    expect(res.body.events.length).toBeGreaterThan(0);
    for (const e of res.body.events) expect(e).toMatchObject({ action: 'conversation.assigned', channelId: channel.channelId });
    expect((await api(auditor.token).get("/audit?action=x'%3B--")).status).toBe(400);
  });
});

async function waitFor<T>(probe: () => Promise<T | null>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > deadline) throw new Error('condition not reached in time');
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('sign-in is audited', () => {
  it('when someone fails to sign in and then signs in, then both are audit events with the IP', async () => {
    const user = await makeUser(app.services.db, { role: 'agent' });
    const browserLike = request.agent(app.url);
    const csrf = async () => /name="_csrf" value="([^"]+)"/.exec((await browserLike.get('/login')).text)?.[1] ?? '';
    const token = await csrf(); // before .post(): the agent attaches its cookies when the request is created
    const failed = await browserLike.post('/login').type('form').send({ _csrf: token, email: user.email, password: 'wrong-password' });
    expect(failed.status).toBe(401);
    const ok = await browserLike.post('/login').type('form').send({ _csrf: token, email: user.email, password: user.password });
    expect(ok.status).toBe(302);
    const events = await app.services.db
      .selectFrom('auditEvents')
      .select(['action', 'ip'])
      .where('subjectId', '=', user.id)
      .where('action', 'in', ['auth.login_failed', 'auth.login'])
      .orderBy('seq')
      .execute();
    expect(events.map((e) => e.action)).toEqual(['auth.login_failed', 'auth.login']);
    for (const e of events) expect(e.ip).toBeTruthy();
  });
});
