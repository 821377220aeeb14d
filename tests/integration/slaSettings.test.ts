/**
 * Service levels set up by clicks: the structured weekly editor (split shifts, across midnight), a
 * holiday region from the list with its dates shown, closures and extra openings by date, per-topic
 * policies, and retiring calendars, policies and canned responses (history keeps them).
 */
import request from 'supertest';
import type TestAgent from 'supertest/lib/agent';
import { userActor } from '../../server/domain/audit/actor';
import { startTrackedSearch } from '../../server/domain/channels/channelPolling';
import { makeApiChannel, makeUser } from '../factories/factories';
import { csrfFrom } from '../support/csrf';
import { startTestApp, type TestApp } from '../support/testApp';

let app: TestApp;
let manager: TestAgent;
let managerUser: Awaited<ReturnType<typeof makeUser>>;
beforeAll(async () => {
  app = await startTestApp();
  managerUser = await makeUser(app.services.db, { role: 'manager', name: 'Mia Manager', locale: 'de' });
  manager = request.agent(app.url);
  const page = await manager.get('/login');
  await manager
    .post('/login')
    .type('form')
    .send({ _csrf: csrfFrom(page.text), email: managerUser.email, password: managerUser.password })
    .expect(302);
});
afterAll(() => app.stop());

async function post(path: string, form: Record<string, string | string[]>) {
  const page = await manager.get('/settings/sla');
  return manager
    .post(path)
    .type('form')
    .send(
      new URLSearchParams([
        ['_csrf', csrfFrom(page.text)],
        ...Object.entries(form).flatMap(([k, v]) => [v].flat().map((x): [string, string] => [k, x])),
      ]).toString(),
    );
}

const calendarNamed = (name: string) => app.services.db.selectFrom('calendars').selectAll().where('name', '=', name).executeTakeFirst();

describe('the weekly editor', () => {
  it('when a manager enters split shifts, an overnight shift, a holiday region, closures and an extra opening, then the calendar stores exactly that and shows its holidays', async () => {
    const res = await post('/settings/sla/calendars', {
      name: 'Schichtplan',
      timeZone: 'Europe/Berlin',
      holidays: 'DE-BY',
      mon_from: ['08:00', '13:00', ''],
      mon_to: ['12:00', '18:00', ''],
      fri_from: ['22:00'],
      fri_to: ['06:00'],
      sat_from: ['10:00'],
      sat_to: ['00:00'],
      closure: ['2026-12-24', '', '2026-12-31'],
      opening_date: ['2026-12-20', '2026-12-20'],
      opening_from: ['10:00', '14:00'],
      opening_to: ['12:00', '16:00'],
    });
    expect(res.status).toBe(303);
    const stored = await calendarNamed('Schichtplan');
    expect(stored!.definition).toEqual({
      name: 'Schichtplan',
      timeZone: 'Europe/Berlin',
      weekly: {
        mon: [
          ['08:00', '12:00'],
          ['13:00', '18:00'],
        ],
        fri: [['22:00', '06:00']],
        sat: [['10:00', '24:00']],
      },
      holidays: { country: 'DE', region: 'BY' },
      closures: ['2026-12-24', '2026-12-31'],
      extraOpenings: [
        {
          date: '2026-12-20',
          intervals: [
            ['10:00', '12:00'],
            ['14:00', '16:00'],
          ],
        },
      ],
    });
    const page = await manager.get('/settings/sla');
    const year = new Date().getFullYear();
    expect(page.text).toContain(`Feiertage ${year} / ${year + 1}`);
    expect(page.text).toContain(`<time datetime="${year}-10-03">`);
    expect(page.text).toContain(`<time datetime="${year + 1}-01-06">`); // Heilige Drei Könige, Bavaria only
    expect(page.text).toContain('Deutschland – Bayern');
    expect(page.text).toContain('bis zum Folgetag'); // the Friday night shift
    expect(page.text).toMatch(/name="sat_to" value="00:00"/); // stored 24:00 shows as the end of the day
  });

  it('when intervals overlap, then the page says so in the form, keeps the input, and nothing is saved', async () => {
    const res = await post('/settings/sla/calendars', {
      name: 'Kaputt',
      timeZone: 'Europe/Berlin',
      holidays: '',
      tue_from: ['09:00', '11:00'],
      tue_to: ['12:00', '13:00'],
    });
    expect(res.status).toBe(400);
    expect(res.text).toContain('Di: Die Zeiten 09:00-12:00 und 11:00-13:00 überschneiden sich.');
    expect(res.text).toMatch(/name="tue_from" value="11:00"/);
    expect(await calendarNamed('Kaputt')).toBeUndefined();
  });

  it('when a holiday region is not on the list, then it is refused', async () => {
    const res = await post('/settings/sla/calendars', { name: 'Nirgendwo', timeZone: 'Europe/Berlin', holidays: 'DE-XX' });
    expect(res.status).toBe(400);
    expect(await calendarNamed('Nirgendwo')).toBeUndefined();
  });
});

describe('retiring', () => {
  it('when a policy is still used by a channel, then retiring it is refused naming the channel; once replaced, it retires and is offered no more', async () => {
    const { db, secretBox } = app.services;
    const channel = await makeApiChannel(db, secretBox, { name: 'Shop-Kanal' });
    expect(
      (await post('/settings/sla/policies', { name: 'Alt-Richtlinie', firstResponseMinutes: '60', nextResponseMinutes: '30', warnAtPercent: '80' })).status,
    ).toBe(303);
    const policy = await db.selectFrom('slaPolicies').selectAll().where('name', '=', 'Alt-Richtlinie').executeTakeFirstOrThrow();
    expect((await post(`/settings/sla/channels/${channel.channelId}`, { calendarId: '', slaPolicyId: policy.id })).status).toBe(303);

    const refused = await post(`/settings/sla/policies/${policy.id}/retire`, {});
    expect(refused.status).toBe(400);
    expect(refused.text).toContain('Noch in Gebrauch bei: Shop-Kanal');
    expect((await db.selectFrom('slaPolicies').select('retiredAt').where('id', '=', policy.id).executeTakeFirstOrThrow()).retiredAt).toBeNull();

    expect((await post(`/settings/sla/channels/${channel.channelId}`, { calendarId: '', slaPolicyId: '' })).status).toBe(303);
    expect((await post(`/settings/sla/policies/${policy.id}/retire`, {})).status).toBe(303);
    const page = await manager.get('/settings/sla');
    expect(page.text).not.toContain(`<option value="${policy.id}"`);
    expect(page.text).toMatch(/id="retired"[\s\S]*Alt-Richtlinie/);
    const again = await post(`/settings/sla/channels/${channel.channelId}`, { calendarId: '', slaPolicyId: policy.id });
    expect(again.status).toBe(400);
    const audited = await db.selectFrom('auditEvents').selectAll().where('action', '=', 'sla_policy.retired').where('subjectId', '=', policy.id).execute();
    expect(audited).toEqual([expect.objectContaining({ actorId: managerUser.id })]);
  });

  it('when a calendar is retired, then it leaves the editor but stays in the database for history', async () => {
    expect(
      (await post('/settings/sla/calendars', { name: 'Sommer 2025', timeZone: 'Europe/Berlin', holidays: '', mon_from: '09:00', mon_to: '17:00' })).status,
    ).toBe(303);
    const cal = (await calendarNamed('Sommer 2025'))!;
    expect((await post(`/settings/sla/calendars/${cal.id}/retire`, {})).status).toBe(303);
    const page = await manager.get('/settings/sla');
    expect(page.text).not.toContain(`data-form="calendar-${cal.id}"`);
    expect((await calendarNamed('Sommer 2025'))!.retiredAt).toBeInstanceOf(Date);
  });

  it('when a canned response is retired, then it is no longer listed or offered and its shortcut is free again', async () => {
    const { db } = app.services;
    const page = await manager.get('/settings/canned-responses');
    await manager
      .post('/settings/canned-responses')
      .type('form')
      .send({ _csrf: csrfFrom(page.text), title: 'Alter Gruß', shortcut: 'altgruss', body: 'Moin', language: 'de' })
      .expect(303);
    const canned = await db.selectFrom('cannedResponses').selectAll().where('shortcut', '=', 'altgruss').executeTakeFirstOrThrow();
    await manager
      .post(`/settings/canned-responses/${canned.id}/retire`)
      .type('form')
      .send({ _csrf: csrfFrom(page.text) })
      .expect(303);
    const list = await manager.get('/settings/canned-responses');
    expect(list.text).not.toContain('Alter Gruß');
    const api = await request(app.url).get('/api/v1/canned-responses').auth(managerUser.token, { type: 'bearer' });
    expect(api.body.cannedResponses.map((c: { shortcut: string }) => c.shortcut)).not.toContain('altgruss');
    await manager
      .post('/settings/canned-responses')
      .type('form')
      .send({ _csrf: csrfFrom(list.text), title: 'Neuer Gruß', shortcut: 'altgruss', body: 'Hallo', language: 'de' })
      .expect(303);
    expect(await db.selectFrom('cannedResponses').select('id').where('shortcut', '=', 'altgruss').execute()).toHaveLength(2);
  });
});

describe('per-topic policies', () => {
  it('when a manager picks a policy for a tracked topic, then the topic has it and the change is audited', async () => {
    const { db, secretBox } = app.services;
    const channel = await makeApiChannel(db, secretBox, { name: 'Social' });
    const topic = await db.transaction().execute((tx) => startTrackedSearch(tx, channel.channelId, '#lieferung', userActor(managerUser)));
    expect((await post('/settings/sla/policies', { name: 'Eilig', firstResponseMinutes: '15', nextResponseMinutes: '15', warnAtPercent: '50' })).status).toBe(
      303,
    );
    const policy = await db.selectFrom('slaPolicies').selectAll().where('name', '=', 'Eilig').executeTakeFirstOrThrow();
    const page = await manager.get('/settings/sla');
    expect(page.text).toContain(`data-topic-id="${topic.id}"`);
    expect(page.text).toContain('Warnung bei 50 %');
    expect((await post(`/settings/sla/topics/${topic.id}`, { slaPolicyId: policy.id })).status).toBe(303);
    expect((await db.selectFrom('topics').select('slaPolicyId').where('id', '=', topic.id).executeTakeFirstOrThrow()).slaPolicyId).toBe(policy.id);
    const audited = await db.selectFrom('auditEvents').selectAll().where('action', '=', 'topic.sla_changed').execute();
    expect(audited).toEqual([
      expect.objectContaining({
        subjectId: topic.id,
        before: { name: '#lieferung', slaPolicyId: null },
        after: { name: '#lieferung', slaPolicyId: policy.id },
      }),
    ]);
    const bad = await post(`/settings/sla/topics/${topic.id}`, { slaPolicyId: 'not-a-uuid' });
    expect(bad.status).toBe(400);
  });
});
