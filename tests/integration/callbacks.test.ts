/**
 * Callback requests through HTTP against the real PostgreSQL and Redis: the widget's request becomes a case with
 * the callback's due time; bad input is refused in the visitor's language and creates nothing; the per-address
 * limit; the agent's call attempts in the console (audited, listed, the clock moved or stopped, the case answered
 * or closed); the callback report; the site setting.
 */
import request from 'supertest';
import { addDays, localDate } from '../../server/domain/time/zonedTime';
import { WIDGET_LIMITS } from '../../server/middleware/widgetRateLimit';
import { makeUser } from '../factories/factories';
import { csrfOfPage, signInAgent } from '../support/signIn';
import { startTestApp, type TestApp } from '../support/testApp';

const ORIGIN = 'https://shop.example';
const BERLIN = 'Europe/Berlin';
let app: TestApp;
type Made = Awaited<ReturnType<typeof makeUser>>;
let lena: Made;
let manager: Made;
let site: { id: string; channelId: string };
let weekdaySite: { id: string; channelId: string };

let ipCounter = 0;
const freshIp = () => `198.51.100.${(ipCounter += 1)}`;
const post = (siteId: string, body: object, ip = freshIp()) =>
  request(app.url).post(`/widget/v1/sites/${siteId}/callbacks`).set('Origin', ORIGIN).set('X-Forwarded-For', ip).send(body);
const api = (user: Made = manager) => ({
  get: (path: string) => request(app.url).get(`/api/v1${path}`).auth(user.token, { type: 'bearer' }),
  post: (path: string, body: object) => request(app.url).post(`/api/v1${path}`).auth(user.token, { type: 'bearer' }).send(body),
  patch: (path: string, body: object) => request(app.url).patch(`/api/v1${path}`).auth(user.token, { type: 'bearer' }).send(body),
});
const tomorrow = () => addDays(localDate(BERLIN, new Date()), 1);
const valid = (over: object = {}) => ({ phone: '+49 170 123-4567', name: 'Otto Normal', date: tomorrow(), from: '10:00', to: '12:00', consent: true, ...over });
const countRequests = async () =>
  Number(
    (
      await app.services.db
        .selectFrom('callbackRequests')
        .select((eb) => eb.fn.countAll().as('n'))
        .executeTakeFirstOrThrow()
    ).n,
  );
const post0 = (conversationId: string) =>
  app.services.db.selectFrom('messages').selectAll().where('conversationId', '=', conversationId).where('direction', '=', 'inbound').executeTakeFirstOrThrow();
const conversationOf = (caseNumber: string) =>
  app.services.db.selectFrom('conversations').selectAll().where('caseNumber', '=', caseNumber).executeTakeFirstOrThrow();
const auditOf = (conversationId: string) =>
  app.services.db.selectFrom('auditEvents').select(['action', 'after']).where('subjectId', '=', conversationId).orderBy('seq').execute();

/** The next day after today (Berlin) that is a Saturday, or a weekday: within the 14 days a window may lie in. */
function nextDay(saturday: boolean): string {
  let date = tomorrow();
  const weekday = () => new Date(`${date}T12:00:00Z`).getUTCDay();
  while (saturday ? weekday() !== 6 : weekday() === 0 || weekday() === 6) date = addDays(date, 1);
  return date;
}

beforeAll(async () => {
  app = await startTestApp();
  lena = await makeUser(app.services.db, { role: 'agent', name: 'Lena Vogt', locale: 'de' });
  manager = await makeUser(app.services.db, { role: 'manager', name: 'Jonas Berger', locale: 'de' });
  site = (
    await api()
      .post('/chat-sites', { name: 'Rund um die Uhr', allowedOrigins: [ORIGIN] })
      .expect(201)
  ).body;
  // the channel's own policy would answer within 30 minutes: a callback's clock is its own
  const policy = await api().post('/sla-policies', { name: '30 Minuten', calendarId: null, firstResponseMinutes: 30, nextResponseMinutes: 30 }).expect(201);
  await api().patch(`/channels/${site.channelId}`, { slaPolicyId: policy.body.id }).expect(200);
  const weekdays = await api()
    .post('/calendars', {
      name: 'Werktags',
      timeZone: BERLIN,
      weekly: Object.fromEntries(['mon', 'tue', 'wed', 'thu', 'fri'].map((d) => [d, [['09:00', '17:00']]])),
    })
    .expect(201);
  weekdaySite = (
    await api()
      .post('/chat-sites', { name: 'Werktags', allowedOrigins: [ORIGIN], calendarId: weekdays.body.id, callbackMinutes: 1440 })
      .expect(201)
  ).body;
});
afterAll(() => app.stop());

describe('a visitor requests a callback', () => {
  it('when the window is tomorrow 10:00-12:00, then a case on the site channel is due at 10:00 Berlin time, with the request kept and audited', async () => {
    const res = await post(site.id, valid());
    expect(res.status).toBe(201);
    expect(res.headers['access-control-allow-origin']).toBe(ORIGIN);
    const c = await conversationOf(res.body.caseNumber);
    expect(c.channelId).toBe(site.channelId);
    const stored = await app.services.db.selectFrom('callbackRequests').selectAll().where('conversationId', '=', c.id).executeTakeFirstOrThrow();
    expect(stored).toMatchObject({ phone: '+491701234567', name: 'Otto Normal', timeZone: BERLIN, language: 'de' });
    expect(localDate(BERLIN, stored.windowStart)).toBe(tomorrow());
    expect(new Intl.DateTimeFormat('de-DE', { timeZone: BERLIN, hour: '2-digit', minute: '2-digit' }).format(stored.dueAt)).toBe('10:00');
    expect(res.body.dueAt).toBe(stored.dueAt.toISOString());
    const message = await post0(c.id);
    expect(message.slaDueAt).toEqual(stored.dueAt);
    expect(message.slaState).toBe('ok');
    expect(c.responseDueAt).toEqual(stored.dueAt);
    expect(message.slaWarnAt!.getTime()).toBeLessThan(stored.dueAt.getTime());
    expect(message.text).toContain('+491701234567');
    const actions = (await auditOf(c.id)).map((e) => e.action);
    expect(actions).toEqual(['conversation.created', 'message.received', 'conversation.callback_requested']);
    expect(JSON.stringify(await auditOf(c.id))).not.toContain('491701234567'); // the number stays out of the append-only log
  });

  it('when the options are asked, then the widget learns the site time zone and the 14 days it may choose from', async () => {
    const res = await request(app.url).get(`/widget/v1/sites/${site.id}/callbacks/options`).set('Origin', ORIGIN).set('X-Forwarded-For', freshIp());
    expect(res.status).toBe(200);
    const today = localDate(BERLIN, new Date());
    expect(res.body).toEqual({ timeZone: BERLIN, firstDay: today, lastDay: addDays(today, 13), minutes: 60 });
  });
});

describe('bad input is refused in the visitor language and creates nothing', () => {
  it.each([
    ['phone without country code', { phone: '0170 1234567' }, 'de', /Telefonnummer mit Ländervorwahl/],
    ['phone with letters', { phone: '+49 170 CALLME', lang: 'en' }, 'en', /phone number with its country code/],
    ['a hostile date', { date: '9999-12-31' }, 'de', /Tag in den nächsten 14 Tagen/],
    ['a date that does not exist', { date: '2026-02-30', lang: 'en' }, 'en', /day within the next 14 days/],
    ['a date 30 days ahead', { date: addDays(localDate(BERLIN, new Date()), 30) }, 'de', /nächsten 14 Tagen/],
    ['a malformed time', { from: '25:00' }, 'de', /HH:MM/],
    ['a window that ends before it starts', { from: '12:00', to: '10:00', lang: 'en' }, 'en', /must end after it starts/],
    ['no consent', { consent: false }, 'de', /Datenschutzhinweis/],
    ['an unknown field', { email: 'x@example.test' }, 'de', /.+/],
    ['a name too long', { name: 'x'.repeat(101) }, 'de', /Namen/],
  ])('when the request has %s, then 400 with the reason', async (_what, over, _lang, message) => {
    const before = await countRequests();
    const res = await post(site.id, valid(over));
    expect(res.status).toBe(400);
    expect(res.body.error).toMatch(message);
    expect(await countRequests()).toBe(before);
  });

  it('when the window lies in closed time, or ends before the site can call, then 400 naming why (and the earliest time)', async () => {
    const closed = await post(weekdaySite.id, valid({ date: nextDay(true), lang: 'en' }));
    expect(closed.status).toBe(400);
    expect(closed.body.error).toMatch(/not available in this time window/);
    // three days of business minutes ahead: a window on the next weekday 09:00-09:01 comes too early
    const early = await post(weekdaySite.id, valid({ date: nextDay(false), from: '09:00', to: '09:01' }));
    expect(early.status).toBe(400);
    expect(early.body.error).toMatch(/frühestens am \d\d\.\d\d\.\d{4}/);
  });

  it('when one address sends more requests than the creation limit allows, then 429 with Retry-After', async () => {
    const ip = freshIp();
    const max = WIDGET_LIMITS.creationsPerAddress.max;
    for (let i = 0; i < max; i += 1) expect((await post(site.id, valid({ phone: 'nope' }), ip)).status).toBe(400);
    const refused = await post(site.id, valid({ lang: 'en' }), ip);
    expect(refused.status).toBe(429);
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    expect(refused.body.error).toMatch(/^Too many requests/);
  });

  it('when another origin posts, then 403', async () => {
    const res = await request(app.url).post(`/widget/v1/sites/${site.id}/callbacks`).set('Origin', 'https://evil.example').send(valid());
    expect(res.status).toBe(403);
  });
});

describe('the agent records call attempts', () => {
  async function newCallback() {
    const res = await post(site.id, valid());
    expect(res.status).toBe(201);
    return conversationOf(res.body.caseNumber);
  }
  async function record(conversationId: string, body: object) {
    const agent = await signInAgent(app.url, lena);
    const csrf = await csrfOfPage(agent, `/conversations/${conversationId}`);
    return agent
      .post(`/conversations/${conversationId}/callback-attempts`)
      .type('form')
      .set('HX-Request', 'true')
      .send({ _csrf: csrf, ...body });
  }

  it('when the agent opens a callback case, then the page shows the number as a tel: link and the window', async () => {
    const c = await newCallback();
    const page = await (await signInAgent(app.url, lena)).get(`/conversations/${c.id}`);
    expect(page.text).toContain('href="tel:+491701234567"');
    expect(page.text).toMatch(/id="callback-window">\d\d\.\d\d\.\d{4}, 10:00 bis \d\d\.\d\d\.\d{4}, 12:00 \(Europe\/Berlin\)/);
    expect(page.text).toContain('Noch kein Anrufversuch.');
    // in the list it has its due time, not "Ohne SLA", also where the channel has no policy (the callback has its own clock)
    await app.services.db.updateTable('conversations').set({ slaPolicyId: null }).where('id', '=', c.id).execute();
    const list = await (await signInAgent(app.url, lena)).get(`/inbox?q=${c.caseNumber}`);
    expect(list.text).toContain(`#${c.caseNumber}`);
    expect(list.text).not.toContain('data-sla-state="none"');
  });

  it('when someone tries to answer a callback in writing, then 400 says to call, nothing is stored and the page offers no reply box', async () => {
    const c = await newCallback();
    const res = await api(lena).post(`/conversations/${c.id}/replies`, { text: 'Wir rufen Sie morgen an.' });
    expect(res.status).toBe(400);
    expect(res.body.error).toBe('A callback request is answered by calling the customer');
    const outbound = await app.services.db.selectFrom('messages').select('id').where('conversationId', '=', c.id).where('direction', '=', 'outbound').execute();
    expect(outbound).toEqual([]);
    const page = await (await signInAgent(app.url, lena)).get(`/conversations/${c.id}`);
    expect(page.text).not.toContain('id="reply-text"');
  });

  it('when a call is not reached with a new due time, then the case stays open, the clock runs towards it, and the attempt is audited and listed', async () => {
    const c = await newCallback();
    const next = `${addDays(tomorrow(), 1)}T15:30`;
    const res = await record(c.id, { outcome: 'not_reached', note: 'Mailbox', nextDueAt: next });
    expect(res.status).toBe(200);
    expect(res.text).toContain('nicht erreicht – erneut versuchen');
    expect(res.text).toContain('Mailbox');
    const message = await post0(c.id);
    expect(localDate(BERLIN, message.slaDueAt!)).toBe(addDays(tomorrow(), 1));
    expect(message.respondedAt).toBeNull();
    expect(message.slaWarnAt).toBeNull(); // the SLA sweep breaches at the new due time, with no warning of its own
    expect((await conversationOf(c.caseNumber)).status).toBe('new');
    const attempt = (await auditOf(c.id)).find((e) => e.action === 'conversation.callback_attempt');
    expect(attempt?.after).toMatchObject({ outcome: 'not_reached', nextDueAt: message.slaDueAt!.toISOString() });
  });

  it('when a new due time is in the past, then the form answers 400 and nothing is recorded', async () => {
    const c = await newCallback();
    const res = await record(c.id, { outcome: 'not_reached', nextDueAt: '2020-01-01T10:00' });
    expect(res.status).toBe(400);
    expect(res.text).toContain('neue Fälligkeit');
    expect(await app.services.db.selectFrom('callbackAttempts').select('id').where('conversationId', '=', c.id).execute()).toEqual([]);
  });

  it('when the customer is reached, then the clock stops as met, the case is answered, and no further attempt is taken', async () => {
    const c = await newCallback();
    expect((await record(c.id, { outcome: 'not_reached' })).status).toBe(200);
    const res = await record(c.id, { outcome: 'reached', note: 'Adresse geändert' });
    expect(res.status).toBe(200);
    expect(res.text).toContain('Der Rückruf ist erledigt.');
    const message = await post0(c.id);
    expect(message.respondedAt).not.toBeNull();
    expect(message.slaState).toBe('met');
    expect((await conversationOf(c.caseNumber)).status).toBe('answered');
    const actions = (await auditOf(c.id)).map((e) => e.action);
    expect(actions.filter((a) => a === 'conversation.callback_attempt')).toHaveLength(2);
    expect(actions).toEqual(expect.arrayContaining(['sla.responded', 'conversation.status_changed']));
    expect((await record(c.id, { outcome: 'reached' })).status).toBe(409);
  });

  it('when the number is wrong, then the case closes with that reason', async () => {
    const c = await newCallback();
    expect((await record(c.id, { outcome: 'wrong_number' })).status).toBe(200);
    const closed = await conversationOf(c.caseNumber);
    expect(closed.status).toBe('closed');
    expect(closed.closeReason).toBe('falsche Nummer');
  });

  it('when the conversation is no callback, then recording a call is 404', async () => {
    const agent = await signInAgent(app.url, lena);
    const csrf = await csrfOfPage(agent, `/conversations/${(await newCallback()).id}`);
    const res = await agent
      .post('/conversations/00000000-0000-4000-8000-000000000000/callback-attempts')
      .type('form')
      .send({ _csrf: csrf, outcome: 'reached' });
    expect(res.status).toBe(404);
  });
});

describe('erasure', () => {
  it('when the customer of a callback is erased, then the number, the name and the call notes are gone, the window and outcomes stay', async () => {
    const res = await post(site.id, valid({ phone: '+49 30 99887766', name: 'Erika Wundersam' }));
    const c = await conversationOf(res.body.caseNumber);
    const agent = await signInAgent(app.url, lena);
    const csrf = await csrfOfPage(agent, `/conversations/${c.id}`);
    await agent
      .post(`/conversations/${c.id}/callback-attempts`)
      .type('form')
      .send({ _csrf: csrf, outcome: 'not_reached', note: 'Frau Wundersam nicht da' })
      .expect(303);
    expect((await api().post(`/contacts/${c.contactId}/erasure`, { reason: 'Antrag nach Art. 17' })).status).toBe(200);
    const stored = await app.services.db.selectFrom('callbackRequests').selectAll().where('conversationId', '=', c.id).executeTakeFirstOrThrow();
    expect(stored).toMatchObject({ phone: null, name: null });
    const attempts = await app.services.db.selectFrom('callbackAttempts').selectAll().where('conversationId', '=', c.id).execute();
    expect(attempts).toMatchObject([{ outcome: 'not_reached', note: null }]);
    const page = await agent.get(`/conversations/${c.id}`);
    expect(page.status).toBe(200);
    expect(page.text).not.toContain('99887766');
    expect(page.text).not.toContain('Wundersam');
  });
});

describe('the callback report and the site setting', () => {
  it('when callbacks were requested, reached, missed and wrong today, then the report counts them', async () => {
    const today = localDate(BERLIN, new Date());
    const res = await api().get(`/reports/callbacks?from=${today}&to=${today}`);
    expect(res.status).toBe(200);
    const requested = await countRequests();
    expect(res.body).toMatchObject({
      requested,
      reached: 1,
      notReachedAttempts: 3,
      wrongNumbers: 1,
      reachedWithinTarget: 1,
      reachedWithinTargetPercent: Math.round((1 / requested) * 1000) / 10,
    });
    expect((await api(lena).get(`/reports/callbacks?from=${today}&to=${today}`)).status).toBe(403);
    expect((await api().get('/reports/callbacks?from=yesterday')).status).toBe(400);
  });

  it('when a manager sets the callback minutes, then they are kept; out of bounds is 400', async () => {
    expect((await api().patch(`/chat-sites/${site.id}`, { callbackMinutes: 30 })).body.callbackMinutes).toBe(30);
    expect((await api().patch(`/chat-sites/${site.id}`, { callbackMinutes: 2 })).status).toBe(400);
    expect((await api().patch(`/chat-sites/${site.id}`, { callbackMinutes: 100000 })).status).toBe(400);
  });
});
