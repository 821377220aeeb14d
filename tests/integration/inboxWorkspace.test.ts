/**
 * The inbox as an agent's workspace, over HTTP: most urgent first, filters (SLA state, priority, team, dates,
 * unread), unread per user, counts per view, the open conversation beside the list, search by name, handle,
 * e-mail, case number and text (German and English stemming) with hits marked, and bulk actions.
 */
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import type TestAgent from 'supertest/lib/agent';
import { listInbox } from '../../server/db/repositories/conversations.repo';
import { inboundPost, makeApiChannel, makeUser } from '../factories/factories';
import { csrfFrom } from '../support/csrf';
import { startTestApp, type TestApp } from '../support/testApp';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app?.stop());

type Channel = Awaited<ReturnType<typeof makeApiChannel>>;
type Made = Awaited<ReturnType<typeof makeUser>>;

async function signIn(user: { email: string; password: string }): Promise<TestAgent> {
  const agent = request.agent(app.url);
  const page = await agent.get('/login');
  const res = await agent
    .post('/login')
    .type('form')
    .send({ _csrf: csrfFrom(page.text), email: user.email, password: user.password });
  expect(res.status).toBe(302);
  return agent;
}

async function ingest(channel: Channel, overrides: Parameters<typeof inboundPost>[0] = {}) {
  const res = await request(app.url)
    .post(`/api/v1/channels/${channel.channelId}/messages`)
    .auth(channel.ingestToken, { type: 'bearer' })
    .send(inboundPost(overrides));
  expect(res.status).toBe(201);
  return res.body as { conversationId: string; messageId: string; caseNumber: string };
}

/** The conversation ids listed, in order, from inbox HTML. */
const listed = (html: string) => [...html.matchAll(/data-conversation-id="([^"]+)"/g)].map((m) => m[1]);
const minutesFromNow = (m: number) => new Date(Date.now() + m * 60_000);

let me: Made;
let agent: TestAgent;
let channel: Channel;
beforeAll(async () => {
  me = await makeUser(app.services.db, { role: 'agent', locale: 'en' });
  agent = await signIn(me);
  channel = await makeApiChannel(app.services.db, app.services.secretBox);
});

/** A fresh channel with its own conversations, so each test reads only its own rows. */
async function freshChannel() {
  return makeApiChannel(app.services.db, app.services.secretBox);
}

describe('most urgent first', () => {
  it('when conversations have due times, priorities and waits, then due soonest comes first, then priority, then waiting longest; those without a service level say so', async () => {
    const db = app.services.db;
    const ch = await freshChannel();
    const policy = await db
      .insertInto('slaPolicies')
      .values({ name: `24/7 ${randomUUID()}`, firstResponseMinutes: 60, nextResponseMinutes: 60, warnAtPercent: 80 })
      .returning('id')
      .executeTakeFirstOrThrow();
    const [dueLater, dueSoon, urgentNoDue, normalOldest, normalNewer] = [
      await ingest(ch),
      await ingest(ch),
      await ingest(ch),
      await ingest(ch),
      await ingest(ch),
    ];
    const set = (c: { conversationId: string }, values: Record<string, unknown>) =>
      db.updateTable('conversations').set(values).where('id', '=', c.conversationId).execute();
    await set(dueLater, { slaPolicyId: policy.id, responseDueAt: minutesFromNow(120), priority: 'urgent' });
    await set(dueSoon, { slaPolicyId: policy.id, responseDueAt: minutesFromNow(30), priority: 'low' });
    await set(urgentNoDue, { priority: 'urgent', lastMessageAt: minutesFromNow(-10) });
    await set(normalOldest, { lastMessageAt: minutesFromNow(-300) });
    await set(normalNewer, { lastMessageAt: minutesFromNow(-5) });

    const res = await agent.get('/inbox').query({ channelId: ch.channelId });
    expect(res.status).toBe(200);
    expect(listed(res.text)).toEqual([dueSoon, dueLater, urgentNoDue, normalOldest, normalNewer].map((c) => c.conversationId));
    const noSla = (id: string) => new RegExp(`data-conversation-id="${id}"[\\s\\S]*?data-sla-state="none"[\\s\\S]*?</li>`).test(res.text);
    expect(noSla(urgentNoDue.conversationId)).toBe(true);
    expect(res.text.match(/data-sla-state="none"/g)).toHaveLength(3);
  });
});

describe('filters', () => {
  it('when filtering by SLA state, priority, team, dates and unread, then only matching conversations are listed', async () => {
    const db = app.services.db;
    const ch = await freshChannel();
    const team = await db
      .insertInto('teams')
      .values({ name: `Team ${randomUUID()}` })
      .returning('id')
      .executeTakeFirstOrThrow();
    const [breached, dueIn30, dueIn3h, inTeam, lastYear] = [await ingest(ch), await ingest(ch), await ingest(ch), await ingest(ch), await ingest(ch)];
    const set = (c: { conversationId: string }, values: Record<string, unknown>) =>
      db.updateTable('conversations').set(values).where('id', '=', c.conversationId).execute();
    await set(breached, { responseDueAt: minutesFromNow(-5), priority: 'high' });
    await set(dueIn30, { responseDueAt: minutesFromNow(30) });
    await set(dueIn3h, { responseDueAt: minutesFromNow(180) });
    await set(inTeam, { teamId: team.id });
    await set(lastYear, { lastMessageAt: new Date('2025-06-15T10:00:00Z') });
    const get = async (query: Record<string, string>) => {
      const res = await agent.get('/inbox').query({ channelId: ch.channelId, ...query });
      expect(res.status).toBe(200);
      return listed(res.text).sort();
    };
    const ids = (...cs: { conversationId: string }[]) => cs.map((c) => c.conversationId).sort();

    expect(await get({ sla: 'breached' })).toEqual(ids(breached));
    expect(await get({ sla: 'due1h' })).toEqual(ids(dueIn30));
    expect(await get({ priority: 'high' })).toEqual(ids(breached));
    expect(await get({ teamId: team.id })).toEqual(ids(inTeam));
    expect(await get({ from: '2025-06-15', to: '2025-06-15' })).toEqual(ids(lastYear));
    expect(await get({ to: '2025-12-31' })).toEqual(ids(lastYear));

    // Unread until opened; opening marks it read for this user only.
    expect(await get({ unread: '1' })).toEqual(ids(breached, dueIn30, dueIn3h, inTeam, lastYear));
    expect((await agent.get(`/inbox/${dueIn3h.conversationId}`)).status).toBe(200);
    expect(await get({ unread: '1' })).toEqual(ids(breached, dueIn30, inTeam, lastYear));
    const colleague = await signIn(await makeUser(db, { role: 'agent' }));
    const theirs = await colleague.get('/inbox').query({ channelId: ch.channelId, unread: '1' });
    expect(listed(theirs.text)).toContain(dueIn3h.conversationId);
    // New activity makes it unread again.
    await set(dueIn3h, { lastMessageAt: new Date() });
    expect(await get({ unread: '1' })).toContain(dueIn3h.conversationId);
  });

  it('when a filter value is not one the inbox knows, then 400 names it and nothing is listed', async () => {
    for (const query of [{ sla: 'soon' }, { priority: 'asap' }, { from: '2026-13-01' }, { teamId: 'x' }]) {
      const res = await agent.get('/inbox').query(query);
      expect(res.status).toBe(400);
      expect(res.text).toContain(Object.keys(query)[0]);
    }
  });

  it('when the saved views are counted, then each shows how many conversations it holds now', async () => {
    const ch = await freshChannel();
    await ingest(ch);
    await ingest(ch);
    const csrf = csrfFrom((await agent.get('/inbox')).text);
    const saved = await agent
      .post('/saved-views')
      .type('form')
      .send({ _csrf: csrf, name: `Two ${randomUUID().slice(0, 6)}`, query: `channelId=${ch.channelId}&status=open` });
    expect(saved.status).toBe(303);
    const res = await agent.get('/inbox/views').set('HX-Request', 'true');
    expect(res.status).toBe(200);
    expect(res.text).toMatch(new RegExp(`channelId=${ch.channelId}[^"]*"[^>]*>[^<]*<span class="view-count"[^>]*>2</span>`));
  });
});

describe('one filter shape, other values', () => {
  it('when the same kind of filter is asked with other ids, days, time zones and viewers, then each list is that of its own values', async () => {
    const db = app.services.db;
    const [a, b] = [await freshChannel(), await freshChannel()];
    const [mine, june, other] = [await ingest(a), await ingest(a), await ingest(b)];
    await db.updateTable('conversations').set({ assigneeId: me.id }).where('id', '=', mine.conversationId).execute();
    await db
      .updateTable('conversations')
      .set({ lastMessageAt: new Date('2025-06-15T10:00:00Z') })
      .where('id', '=', june.conversationId)
      .execute();
    const colleague = await makeUser(db, { role: 'agent' });
    const list = async (f: Omit<Parameters<typeof listInbox>[1], 'sort' | 'limit' | 'offset'>, sort: 'newest' | 'oldest' = 'newest') =>
      (await listInbox(db, { sort, limit: 25, offset: 0, ...f })).map((r) => r.id);
    const ids = (...cs: { conversationId: string }[]) => cs.map((c) => c.conversationId);

    expect(await list({ channelId: a.channelId })).toEqual(ids(mine, june));
    expect(await list({ channelId: b.channelId })).toEqual(ids(other));
    expect(await list({ channelId: a.channelId }, 'oldest')).toEqual(ids(june, mine));
    expect(await list({ channelId: a.channelId, assigneeId: me.id })).toEqual(ids(mine));
    expect(await list({ channelId: a.channelId, assigneeId: colleague.id })).toEqual([]);
    expect(await list({ channelId: a.channelId, assigneeId: 'none' })).toEqual(ids(june));
    expect(await list({ channelId: b.channelId, assigneeId: 'none' })).toEqual(ids(other));
    const day = { from: '2025-06-15', to: '2025-06-15' };
    expect(await list({ channelId: a.channelId, ...day, timeZone: 'Europe/Berlin' })).toEqual(ids(june));
    // 10:00 UTC is already the next day at UTC+14
    expect(await list({ channelId: a.channelId, ...day, timeZone: 'Pacific/Kiritimati' })).toEqual([]);
    expect(await list({ channelId: a.channelId, ...day })).toEqual(ids(june));
    expect(await list({ channelId: b.channelId, ...day, timeZone: 'Europe/Berlin' })).toEqual([]);
    expect(await list({ channelId: a.channelId, onlyUnread: true, viewerId: me.id })).toEqual(ids(mine, june));
    await db.insertInto('conversationReads').values({ userId: me.id, conversationId: mine.conversationId, readAt: new Date() }).execute();
    expect(await list({ channelId: a.channelId, onlyUnread: true, viewerId: me.id })).toEqual(ids(june));
    expect(await list({ channelId: a.channelId, onlyUnread: true, viewerId: colleague.id })).toEqual(ids(mine, june));
    expect(await list({ channelId: a.channelId, onlyUnread: true })).toEqual(ids(mine, june));
    await db.updateTable('conversations').set({ language: 'de', sentimentLabel: 'negative' }).where('id', '=', mine.conversationId).execute();
    await db.updateTable('conversations').set({ language: 'en', sentimentLabel: 'positive' }).where('id', '=', june.conversationId).execute();
    await db.insertInto('conversationTags').values({ conversationId: june.conversationId, tag: 'versand' }).execute();
    expect(await list({ channelId: a.channelId, language: 'de' })).toEqual(ids(mine));
    expect(await list({ channelId: a.channelId, language: 'en' })).toEqual(ids(june));
    expect(await list({ channelId: a.channelId, sentiment: 'positive' })).toEqual(ids(june));
    expect(await list({ channelId: a.channelId, sentiment: 'negative' })).toEqual(ids(mine));
    expect(await list({ channelId: a.channelId, tag: 'versand' })).toEqual(ids(june));
    expect(await list({ channelId: a.channelId, tag: 'rechnung' })).toEqual([]);
  });
});

describe('paging', () => {
  it('when paging with "Load more" again and again (the statement prepared, its plan reused), then every conversation of the status asked for comes once, in order', async () => {
    const ch = await freshChannel();
    const made: string[] = [];
    for (let i = 0; i < 30; i++) made.push((await ingest(ch, { postedAt: minutesFromNow(-60 + i).toISOString() })).conversationId);
    const closed = made.filter((_, i) => i % 10 === 0);
    await app.services.db.updateTable('conversations').set({ status: 'closed' }).where('id', 'in', closed).execute();
    const page = async (query: Record<string, string>) => {
      const res = await agent.get('/inbox').query({ channelId: ch.channelId, sort: 'oldest', ...query });
      expect(res.status).toBe(200);
      return listed(res.text);
    };
    for (let round = 0; round < 8; round++) {
      const first = await page({ status: 'all' });
      expect(first).toHaveLength(25);
      expect([...first, ...(await page({ status: 'all', offset: '25' }))]).toEqual(made);
      expect(await page({ status: 'closed' })).toEqual(closed);
      expect(await page({})).toEqual(made.filter((id) => !closed.includes(id)).slice(0, 25));
    }
  });

  it('when a page is asked for in part rows or a status is not a plain word, then the list refuses it', async () => {
    const f = { sort: 'newest' as const, limit: 25, offset: 0 };
    await expect(listInbox(app.services.db, { ...f, limit: 2.5 })).rejects.toThrow(RangeError);
    await expect(listInbox(app.services.db, { ...f, offset: -25 })).rejects.toThrow(RangeError);
    await expect(listInbox(app.services.db, { ...f, status: ["new') OR (true" as 'new'] })).rejects.toThrow(RangeError);
  });
});

describe('list and conversation side by side', () => {
  it('when a conversation is opened from the list, then htmx gets just the pane; a full load gets list and conversation; the list can be reloaded at that address', async () => {
    const { conversationId, caseNumber } = await ingest(channel, { text: `Paket ${randomUUID()}` });
    const url = `/inbox/${conversationId}?channelId=${channel.channelId}`;

    const pane = await agent.get(url).set('HX-Request', 'true').set('HX-Target', 'conversation-pane');
    expect(pane.status).toBe(200);
    expect(pane.text).toContain('id="conversation-main"');
    expect(pane.text).toMatch(new RegExp(`class="pane-back" href="/inbox\\?[^"]*channelId=${channel.channelId}`));
    expect(pane.text).not.toMatch(/<html|id="inbox-list"/);

    const full = await agent.get(url);
    expect(full.text).toMatch(/<html/);
    expect(full.text).toContain('id="inbox-list"');
    expect(full.text).toContain('id="conversation-main"');
    expect(full.text).toMatch(new RegExp(`href="/inbox/${conversationId}[^"]*"[^>]*\\s+aria-current="true"`));
    expect(full.text).toContain(`#${caseNumber}`);

    const list = await agent.get(url).set('HX-Request', 'true').set('HX-Target', 'inbox-list');
    expect(list.text.trimStart()).toMatch(/^<section id="inbox-list"/);

    // Back/forward without a cached snapshot: htmx asks for the whole page again.
    const restored = await agent.get(url).set('HX-Request', 'true').set('HX-History-Restore-Request', 'true');
    expect(restored.text).toMatch(/<html/);
    expect((await agent.get(`/inbox/${randomUUID()}`)).status).toBe(404);
  });
});

describe('search', () => {
  let ch: Channel;
  let erika: { conversationId: string; caseNumber: string };
  let orders: { conversationId: string; caseNumber: string };
  let mail: { conversationId: string; caseNumber: string };
  beforeAll(async () => {
    ch = await freshChannel();
    erika = await ingest(ch, {
      text: 'Hallo, wo bleibt das Paket?',
      author: { externalId: `e-${randomUUID()}`, name: 'Erika Mustermann', handle: `erika_${randomUUID().slice(0, 6)}` },
    });
    orders = await ingest(ch, {
      text: 'Meine Bestellungen sind nie angekommen, and my orders <b>vanished</b> at R&D',
      author: { externalId: `j-${randomUUID()}`, name: 'Jonas Weber', handle: 'jonas' },
    });
    mail = await ingest(ch, { text: 'Rechnung bitte', author: { externalId: `m-${randomUUID()}`, name: 'Mia Koch', handle: 'mia.koch@example.org' } });
  });
  const search = async (q: string) => {
    const res = await agent.get('/inbox').query({ channelId: ch.channelId, q });
    expect(res.status).toBe(200);
    return res;
  };

  it('when searching a customer name, part of it, a handle or an e-mail address, then their conversation is found with the hit marked', async () => {
    for (const q of ['Mustermann', 'muster', 'Erika M']) {
      const res = await search(q);
      expect(listed(res.text)).toEqual([erika.conversationId]);
      expect(res.text).toMatch(/<strong class="contact">[^<]*<mark>/i);
    }
    expect(listed((await search('@jonas')).text)).toEqual([orders.conversationId]);
    expect(listed((await search('mia.koch@example.org')).text)).toEqual([mail.conversationId]);
    expect(listed((await search('example.org')).text)).toEqual([mail.conversationId]);
    expect(listed((await search('50%')).text)).toEqual([]); // LIKE wildcards are taken literally
  });

  it('when searching a case number with or without #, then that conversation is found', async () => {
    expect(listed((await search(`#${orders.caseNumber}`)).text)).toEqual([orders.conversationId]);
    expect(listed((await search(orders.caseNumber)).text)).toEqual([orders.conversationId]);
  });

  it('when an integration searches through the API with the inbox filters, then it gets the same conversations', async () => {
    const res = await request(app.url)
      .get('/api/v1/conversations')
      .query({ channelId: ch.channelId, q: `#${mail.caseNumber}`, sort: 'urgent', sla: 'none', priority: 'normal' })
      .auth(me.token, { type: 'bearer' });
    expect(res.status).toBe(200);
    expect(JSON.stringify(res.body)).toContain(mail.conversationId);
    expect(JSON.stringify(res.body)).not.toContain(erika.conversationId);
  });

  it('when searching words in another form (German and English stemming), then the message is found and the words are marked, its markup escaped', async () => {
    const de = await search('Bestellung');
    expect(listed(de.text)).toEqual([orders.conversationId]);
    expect(de.text).toContain('<mark>Bestellungen</mark>');
    const en = await search('order');
    expect(listed(en.text)).toEqual([orders.conversationId]);
    expect(en.text).toContain('<mark>orders</mark>');
    // The excerpt drops markup-like parts of the text (PostgreSQL's parser reads them as tags); the rest is escaped.
    expect(en.text).toMatch(/<span class="snippet">[^<]*<mark>orders<\/mark>[^<]*vanished[^<]*R&amp;D<\/span>/);
    expect(en.text).not.toContain('<b>vanished');
  });
});

describe('bulk actions', () => {
  async function bulk(fields: Record<string, string | string[]>) {
    const csrf = csrfFrom((await agent.get('/inbox')).text);
    return agent
      .post('/inbox/bulk')
      .set('HX-Request', 'true')
      .type('form')
      .send({ _csrf: csrf, ...fields });
  }
  const conversation = (id: string) => app.services.db.selectFrom('conversations').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
  const auditCount = (id: string, action: string) =>
    app.services.db
      .selectFrom('auditEvents')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .where('subjectId', '=', id)
      .where('action', '=', action as never)
      .executeTakeFirstOrThrow()
      .then((r) => Number(r.n));

  it('when saving a selection for "tomorrow 09:00", then each is saved with that reminder, audited', async () => {
    const [a, b] = [await ingest(channel), await ingest(channel)];
    const res = await bulk({ ids: [a.conversationId, b.conversationId], action: 'snooze', snooze: 'tomorrow9' });
    expect(res.status).toBe(200);
    expect(res.text).toContain('2 done');
    for (const c of [a, b]) {
      const row = await conversation(c.conversationId);
      expect(row.status).toBe('saved');
      expect(new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/Berlin', hour: '2-digit', minute: '2-digit' }).format(row.remindAt!)).toBe('09:00');
      expect(row.remindAt!.getTime()).toBeGreaterThan(Date.now());
    }
  });

  it('when setting the priority or unassigning, then each changes; unassigning asks first and changes nothing until confirmed', async () => {
    const [a, b] = [await ingest(channel), await ingest(channel)];
    expect((await bulk({ ids: [a.conversationId, b.conversationId], action: 'priority', priority: 'urgent' })).text).toContain('2 done');
    expect((await conversation(a.conversationId)).priority).toBe('urgent');
    expect((await bulk({ ids: [a.conversationId], action: 'assign_me' })).text).toContain('1 done');

    const asked = await bulk({ ids: [a.conversationId], action: 'unassign' });
    expect(asked.status).toBe(200);
    expect(asked.text).toContain('Really unassign 1 conversations?');
    expect(asked.text).toContain('name="confirmed" value="1"');
    expect((await conversation(a.conversationId)).assigneeId).toBe(me.id);

    expect((await bulk({ ids: [a.conversationId], action: 'unassign', confirmed: '1' })).text).toContain('1 done');
    expect((await conversation(a.conversationId)).assigneeId).toBeNull();
  });

  it('when closing, then it asks first; confirmed, each is closed with its audit event', async () => {
    const a = await ingest(channel);
    const asked = await bulk({ ids: [a.conversationId], action: 'close' });
    expect(asked.text).toContain('Really close 1 conversations?');
    expect((await conversation(a.conversationId)).status).toBe('new');
    expect(await auditCount(a.conversationId, 'conversation.status_changed')).toBe(0);
    expect((await bulk({ ids: [a.conversationId], action: 'close', confirmed: '1' })).text).toContain('1 done');
    expect((await conversation(a.conversationId)).status).toBe('closed');
    expect(await auditCount(a.conversationId, 'conversation.status_changed')).toBe(1);
  });

  it('when acting on all that match the filter, then it asks with the count and then changes exactly those', async () => {
    const ch = await freshChannel();
    const [a, b] = [await ingest(ch), await ingest(ch)];
    const other = await ingest(channel);
    const filter = `channelId=${ch.channelId}&status=open`;
    const asked = await bulk({ scope: 'filter', filter, action: 'priority', priority: 'high' });
    expect(asked.text).toContain('Change 2 conversations?');
    expect((await conversation(a.conversationId)).priority).toBe('normal');
    expect((await bulk({ scope: 'filter', filter, action: 'priority', priority: 'high', confirmed: '1' })).text).toContain('2 done');
    expect((await conversation(a.conversationId)).priority).toBe('high');
    expect((await conversation(b.conversationId)).priority).toBe('high');
    expect((await conversation(other.conversationId)).priority).toBe('normal');
  });

  it('when a German agent acts on a selection and some are refused, then the refusals are shown in German, not in the English of the logs', async () => {
    const german = await signIn(await makeUser(app.services.db, { role: 'agent', locale: 'de' }));
    const [a, b] = [await ingest(channel), await ingest(channel)];
    const csrf = csrfFrom((await german.get('/inbox')).text);
    const res = await german
      .post('/inbox/bulk')
      .set('HX-Request', 'true')
      .type('form')
      .send({ _csrf: csrf, ids: [a.conversationId, b.conversationId], action: 'assign', assigneeId: randomUUID() });
    expect(res.status).toBe(200);
    expect(res.text).toContain('2 abgelehnt');
    expect(res.text).toContain('Diese Person bearbeitet keine Konversationen.');
    expect(res.text).not.toContain('no colleague');
    expect((await conversation(a.conversationId)).assigneeId).toBeNull();
  });

  it('when the action lacks its value or the filter is invalid, then 400 with the reason and nothing changes', async () => {
    const a = await ingest(channel);
    const noPriority = await bulk({ ids: [a.conversationId], action: 'priority' });
    expect(noPriority.status).toBe(400);
    expect(noPriority.text).toContain('Choose a priority.');
    const badPreset = await bulk({ ids: [a.conversationId], action: 'snooze', snooze: 'someday' });
    expect(badPreset.status).toBe(400);
    const badFilter = await bulk({ scope: 'filter', filter: 'sla=soon', action: 'close', confirmed: '1' });
    expect(badFilter.status).toBe(400);
    expect((await conversation(a.conversationId)).status).toBe('new');
    expect((await conversation(a.conversationId)).priority).toBe('normal');
  });
});
