/**
 * The alert settings page: a manager creates, edits and deletes rules of each kind through its forms (a bad
 * threshold comes back marked, in German), saves the SMTP server (the password is never shown again) and
 * sends a test e-mail that reports success, or why not in words; subscribes to a report e-mail. Agents
 * cannot open it.
 */
import { createServer } from 'node:net';
import request from 'supertest';
import type TestAgent from 'supertest/lib/agent';
import { makeApiChannel, makeUser } from '../factories/factories';
import { csrfOfPage, signInAgent } from '../support/signIn';
import { startSmtpSink, type SmtpSink } from '../support/smtpSink';
import { startTestApp, type TestApp } from '../support/testApp';

const PAGE = '/settings/alerts';
let app: TestApp;
let smtp: SmtpSink;
let manager: Awaited<ReturnType<typeof makeUser>>;
let browser: TestAgent;

beforeAll(async () => {
  [app, smtp] = await Promise.all([startTestApp(), startSmtpSink()]);
  manager = await makeUser(app.services.db, { role: 'manager', name: 'Greta Grün', locale: 'de' });
  browser = await signInAgent(app.url, manager);
});
afterAll(async () => {
  await app.stop();
  await smtp.close();
});

async function submit(path: string, fields: Record<string, string | string[]>) {
  return browser
    .post(path)
    .type('form')
    .send({ ...fields, _csrf: await csrfOfPage(browser, PAGE) });
}

const rules = () => app.services.db.selectFrom('alertRules').select(['id', 'kind', 'scope', 'params', 'channels', 'deletedAt']).orderBy('createdAt').execute();

describe('alert rules in the console', () => {
  it('when a manager creates, edits and deletes a rule with the forms, then the rule changes accordingly and a bad threshold comes back marked in German', async () => {
    const channel = await makeApiChannel(app.services.db, app.services.secretBox, { name: 'Kundenchat' });
    const page = await browser.get(`${PAGE}?kind=channel_failure`);
    expect(page.status).toBe(200);
    expect(page.text).toContain('Still seit (Minuten)');
    expect(page.text).toContain('Kundenchat');

    const bad = await submit(`${PAGE}/rules`, { kind: 'negative_dip', target: `channel:${channel.channelId}`, risePoints: '0', channels: ['console'] });
    expect(bad.status).toBe(400);
    expect(bad.text).toMatch(/class="field-error"[^>]*>[^<]*(mindestens|größer)/i);
    expect(await rules()).toEqual([]);

    const created = await submit(`${PAGE}/rules`, {
      kind: 'negative_dip',
      target: `channel:${channel.channelId}`,
      risePoints: '25',
      windowMinutes: '30',
      minCount: '',
      channels: ['console', 'push'],
    });
    expect(created.status).toBe(303);
    const [rule] = await rules();
    expect(rule).toMatchObject({
      kind: 'negative_dip',
      scope: { channelId: channel.channelId },
      params: { risePoints: 25, windowMinutes: 30, minCount: 10 },
      channels: ['console', 'push'],
    });
    const listed = await browser.get(PAGE);
    expect(listed.text).toContain('Stimmungseinbruch');
    expect(listed.text).toContain('Kundenchat');

    expect(
      (await submit(`${PAGE}/rules/${rule!.id}`, { kind: 'negative_dip', target: `channel:${channel.channelId}`, risePoints: '40', channels: ['email'] }))
        .status,
    ).toBe(303);
    expect((await rules())[0]).toMatchObject({ params: { risePoints: 40 }, channels: ['email'] });

    expect((await submit(`${PAGE}/rules/${rule!.id}/delete`, {})).status).toBe(303);
    expect((await rules())[0]!.deletedAt).not.toBeNull();
    expect((await browser.get(PAGE)).text).not.toContain(`id="rule-${rule!.id}"`);
  });

  it('when an agent opens the page, then it is refused', async () => {
    const agent = await makeUser(app.services.db, { role: 'agent' });
    expect((await (await signInAgent(app.url, agent)).get(PAGE)).status).toBe(403);
  });
});

describe('SMTP settings and the test e-mail', () => {
  it('when the SMTP server is saved with a password, then the page never shows it, keeps it when the field is left empty, and a test e-mail arrives', async () => {
    const saved = await submit(`${PAGE}/smtp`, {
      smtpHost: smtp.host,
      smtpPort: String(smtp.port),
      smtpUser: 'alerts',
      smtpPassword: 'Geheim-Passwort-42',
      mailFrom: 'alerts@replyline.test',
    });
    expect(saved.status).toBe(303);
    const page = await browser.get(PAGE);
    expect(page.text).not.toContain('Geheim-Passwort-42');
    expect(page.text).toContain('gespeichert – leer lassen, um es zu behalten');
    await submit(`${PAGE}/smtp`, { smtpHost: smtp.host, smtpPort: String(smtp.port), smtpUser: 'alerts', smtpPassword: '', mailFrom: 'alerts@replyline.test' });
    const stored = await app.services.db.selectFrom('alertSettings').select('smtpPasswordEnc').executeTakeFirstOrThrow();
    expect(app.services.secretBox.open(stored.smtpPasswordEnc!)).toBe('Geheim-Passwort-42');
    const audit = await app.services.db.selectFrom('auditEvents').select(['after']).where('action', '=', 'alert_settings.updated').execute();
    expect(JSON.stringify(audit)).not.toContain('Geheim');

    // the sink takes no login: sending with a user and password fails, in words; without them it arrives
    const refused = await submit(`${PAGE}/smtp/test`, { to: 'greta@example.com' });
    expect(refused.status).toBe(200);
    expect(refused.text).toMatch(/Die Test-E-Mail wurde nicht gesendet\. [^<]+/);
    await submit(`${PAGE}/smtp`, { smtpHost: smtp.host, smtpPort: String(smtp.port), smtpUser: '', removePassword: 'on', mailFrom: 'alerts@replyline.test' });
    const ok = await browser
      .post(`${PAGE}/smtp/test`)
      .set('HX-Request', 'true')
      .type('form')
      .send({ to: 'greta@example.com', _csrf: await csrfOfPage(browser, PAGE) });
    expect(ok.text).toContain('Test-E-Mail an greta@example.com gesendet.');
    expect(ok.text).not.toContain('<html');
    const [mail] = await smtp.waitFor(1);
    expect(mail!.envelopeTo).toEqual(['greta@example.com']);
    expect(mail!.mail.subject).toBe('Replyline: Test-E-Mail');
  });

  it('when nobody listens on the SMTP port, then the test e-mail says so in words (API in English for an English user)', async () => {
    const closed = await new Promise<number>((resolve) => {
      const s = createServer().listen(0, '127.0.0.1', () => {
        const { port } = s.address() as { port: number };
        s.close(() => resolve(port));
      });
    });
    await submit(`${PAGE}/smtp`, { smtpHost: smtp.host, smtpPort: String(closed), mailFrom: 'alerts@replyline.test' });
    const page = await submit(`${PAGE}/smtp/test`, { to: 'greta@example.com' });
    expect(page.text).toContain(`127.0.0.1 nimmt auf Port ${closed} keine Verbindung an.`);
    const admin = await makeUser(app.services.db, { role: 'admin', locale: 'en' });
    const res = await request(app.url).post('/api/v1/alert-settings/test').auth(admin.token, { type: 'bearer' }).send({});
    expect(res.status).toBe(422);
    expect(res.body).toEqual({ sent: false, error: `127.0.0.1 does not accept connections on port ${closed}.` });
    const view = await request(app.url).get('/api/v1/alert-settings').auth(admin.token, { type: 'bearer' });
    expect(view.body).toEqual({
      smtpHost: '127.0.0.1',
      smtpPort: closed,
      smtpSecure: false,
      smtpUser: null,
      mailFrom: 'alerts@replyline.test',
      passwordSet: false,
    });
  });
});

describe('report e-mails on the page', () => {
  it('when a manager subscribes to the weekly report and unsubscribes, then the page lists it and then no more', async () => {
    expect((await submit(`${PAGE}/reports`, { frequency: 'weekly', sendHour: '6', timeZone: 'Mars/Olympus' })).status).toBe(400);
    expect((await submit(`${PAGE}/reports`, { frequency: 'weekly', sendHour: '6', timeZone: 'Europe/Berlin' })).status).toBe(303);
    const page = await browser.get(PAGE);
    expect(page.text).toContain('Wöchentlich, um 6:00 Uhr (Europe/Berlin)');
    const [sub] = await app.services.db.selectFrom('reportSubscriptions').select('id').where('userId', '=', manager.id).execute();
    expect((await submit(`${PAGE}/reports/${sub!.id}/delete`, {})).status).toBe(303);
    expect((await browser.get(PAGE)).text).not.toContain('Wöchentlich, um 6:00 Uhr');
  });
});
