/**
 * The public case status page through the real entry points: the right case number and e-mail address show
 * the status in plain words and the public messages (never notes or unsent replies, agents by first name);
 * a wrong number and a wrong address get byte-identical answers; the 21st attempt from one address is
 * throttled, and so is the 11th attempt for one e-mail address from many addresses; the signed link shows the
 * same page without the form.
 */
import request from 'supertest';
import type TestAgent from 'supertest/lib/agent';
import { inboundPost, makeApiChannel, makeUser } from '../factories/factories';
import { csrfFrom } from '../support/csrf';
import { startTestApp, type TestApp } from '../support/testApp';
import { caseLinkSigner, caseStatusLink } from '../../server/domain/caseStatus/caseLink';
import { CASE_LOOKUPS_PER_EMAIL, CASE_LOOKUPS_PER_WINDOW } from '../../server/routes/web/caseStatus.routes';

let app: TestApp;
let caseNumber: string;
let conversationId: string;
let agent: Awaited<ReturnType<typeof makeUser>>;
let channel: Awaited<ReturnType<typeof makeApiChannel>>;
const EMAIL = 'erika@kundin.example';

let ipCounter = 0;
const freshIp = () => `198.51.100.${(ipCounter += 1)}`;

beforeAll(async () => {
  app = await startTestApp();
  const db = app.services.db;
  agent = await makeUser(db, { role: 'agent', name: 'Lena Vogt' });
  channel = await makeApiChannel(db, app.services.secretBox, { name: 'Webshop-API' });
  const made = await makeCase('Wo bleibt mein Paket? <b>dringend</b>', EMAIL);
  caseNumber = made.caseNumber;
  conversationId = made.conversationId;
  const as = (path: string, body: object) =>
    request(app.url).post(`/api/v1/conversations/${conversationId}${path}`).auth(agent.token, { type: 'bearer' }).send(body);
  await as('/notes', { text: 'Interne Notiz: Kundin ist VIP' }).expect(201);
  await as('/replies', { text: 'Ihr Paket ist unterwegs.' }).expect(202);
  await as('/replies', { text: 'Entwurf, noch nicht gesendet' }).expect(202);
  // no workers run here: the first reply is marked sent as the delivery job would, the second stays queued
  await db.updateTable('messages').set({ deliveryState: 'sent', deliveredAt: new Date() }).where('text', '=', 'Ihr Paket ist unterwegs.').execute();
  await db.updateTable('conversations').set({ status: 'answered' }).where('id', '=', conversationId).execute();
});
/** A case from the API channel whose contact has this e-mail address. */
async function makeCase(text: string, email: string): Promise<{ caseNumber: string; conversationId: string }> {
  const db = app.services.db;
  const ingested = await request(app.url)
    .post(`/api/v1/channels/${channel.channelId}/messages`)
    .auth(channel.ingestToken, { type: 'bearer' })
    .send(inboundPost({ text }))
    .expect(201);
  const conversationId = ingested.body.conversationId as string;
  const conversation = await db.selectFrom('conversations').select('contactId').where('id', '=', conversationId).executeTakeFirstOrThrow();
  await db.updateTable('contacts').set({ email }).where('id', '=', conversation.contactId).execute();
  return { caseNumber: ingested.body.caseNumber, conversationId };
}

afterAll(async () => {
  await app.stop();
});

async function visitor(ip = freshIp()): Promise<{ agent: TestAgent; csrf: string; ip: string }> {
  const agent = request.agent(app.url);
  const page = await agent.get('/case').set('Accept-Language', 'de-DE').expect(200);
  return { agent, csrf: csrfFrom(page.text), ip };
}

const lookUp = (v: { agent: TestAgent; csrf: string; ip: string }, number: string, email: string) =>
  v.agent.post('/case').set('X-Forwarded-For', v.ip).set('Accept-Language', 'de-DE').type('form').send({ _csrf: v.csrf, caseNumber: number, email });

describe('case status by number and e-mail address', () => {
  it('when the form is opened without a session, then it asks for the case number and the e-mail address in German', async () => {
    const res = await request(app.url).get('/case').set('Accept-Language', 'de-DE').expect(200);
    expect(res.text).toContain('Vorgangsnummer');
    expect(res.text).toContain('E-Mail-Adresse');
    expect(res.headers['set-cookie']?.toString()).not.toContain('rl_session');
  });

  it('when the number and the address match (any case of letters), then the status and the public messages are shown, nothing else', async () => {
    const res = await lookUp(await visitor(), `#${caseNumber}`, 'Erika@Kundin.example');
    expect(res.status).toBe(200);
    expect(res.text).toContain(`Vorgang #${caseNumber}`);
    expect(res.text).toContain('Beantwortet – wir warten auf Ihre Antwort');
    expect(res.text).toContain('Wo bleibt mein Paket? &lt;b&gt;dringend&lt;/b&gt;');
    expect(res.text).toContain('Ihr Paket ist unterwegs.');
    expect(res.text).toContain('<strong>Lena</strong>');
    expect(res.text).not.toContain('Vogt');
    expect(res.text).not.toContain('Interne Notiz');
    expect(res.text).not.toContain('Entwurf, noch nicht gesendet');
    expect(res.text).not.toContain('name="caseNumber"');
  });

  it('when the number is wrong or the address is wrong, then both answers are identical: same status, same body', async () => {
    const v = await visitor();
    const wrongNumber = await lookUp(v, String(BigInt(caseNumber) + 100000n), EMAIL);
    const wrongAddress = await lookUp(v, caseNumber, 'someone@else.example');
    const notANumber = await lookUp(v, 'abc', EMAIL);
    expect(wrongNumber.status).toBe(404);
    expect(wrongAddress.status).toBe(wrongNumber.status);
    expect(wrongAddress.text).toBe(wrongNumber.text);
    expect(notANumber.status).toBe(wrongNumber.status);
    expect(notANumber.text).toBe(wrongNumber.text);
    expect(wrongNumber.text).toContain('keine Anfrage gefunden');
  });

  it('when the form is sent without its CSRF token, then 403 and nothing is looked up', async () => {
    await request(app.url).post('/case').type('form').send({ caseNumber, email: EMAIL }).expect(403);
  });

  it('when one address makes its 21st attempt within ten minutes, then it is refused with 429, Retry-After and a German text', async () => {
    const v = await visitor();
    for (let i = 0; i < CASE_LOOKUPS_PER_WINDOW; i += 1) expect((await lookUp(v, String(900000 + i), `kunde${i}@example.test`)).status).toBe(404);
    const refused = await lookUp(v, caseNumber, EMAIL);
    expect(refused.status).toBe(429);
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    expect(refused.text).toContain('Zu viele Versuche');
    expect(refused.text).not.toContain('Ihr Paket ist unterwegs.');
    // another address is not affected
    expect((await lookUp(await visitor(), caseNumber, EMAIL)).status).toBe(200);
  });

  it('when one e-mail address makes its 11th attempt within the hour from ever new addresses, then it is refused with 429 even for the right number', async () => {
    const other = await makeCase('Rechnung fehlt', 'max@kunde.example');
    const wrong = await lookUp(await visitor(), String(900500), 'max@kunde.example');
    expect(wrong.status).toBe(404);
    for (let i = 1; i < CASE_LOOKUPS_PER_EMAIL - 1; i += 1) {
      const res = await lookUp(await visitor(), String(900500 + i), ' Max@Kunde.example');
      expect(res.status).toBe(404);
      expect(res.text).toContain('keine Anfrage gefunden');
    }
    expect((await lookUp(await visitor(), other.caseNumber, 'max@kunde.example')).status).toBe(200);
    const refused = await lookUp(await visitor(), other.caseNumber, 'MAX@kunde.example');
    expect(refused.status).toBe(429);
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(CASE_LOOKUPS_PER_WINDOW * 60);
    expect(refused.text).toContain('Zu viele Versuche');
    expect(refused.text).not.toContain('Rechnung fehlt');
    // another e-mail address is not affected
    expect((await lookUp(await visitor(), caseNumber, EMAIL)).status).toBe(200);
  });

  it('when the page is asked for in English, then the status is in English', async () => {
    const v = await visitor();
    const res = await v.agent
      .post('/case')
      .set('X-Forwarded-For', v.ip)
      .set('Accept-Language', 'en-GB')
      .type('form')
      .send({ _csrf: v.csrf, caseNumber, email: EMAIL });
    expect(res.text).toContain('Answered – we are waiting for your reply');
  });
});

describe('case status by signed link', () => {
  const signer = () => caseLinkSigner(app.services.config.encryptionKey);

  it('when the signed link is opened, then the status and messages are shown without the form', async () => {
    const link = new URL(caseStatusLink(app.services.config.baseUrl, signer(), caseNumber));
    const res = await request(app.url).get(`${link.pathname}${link.search}`).set('X-Forwarded-For', freshIp()).set('Accept-Language', 'de').expect(200);
    expect(res.text).toContain('Beantwortet – wir warten auf Ihre Antwort');
    expect(res.text).toContain('Ihr Paket ist unterwegs.');
    expect(res.text).not.toContain('name="caseNumber"');
  });

  it('when the signature is wrong or belongs to another case, then the same answer as a wrong address', async () => {
    const other = new URL(caseStatusLink(app.services.config.baseUrl, signer(), String(BigInt(caseNumber) + 1n)));
    const forged = await request(app.url).get(`/case/${caseNumber}${other.search}`).set('X-Forwarded-For', freshIp()).set('Accept-Language', 'de');
    const garbage = await request(app.url)
      .get(`/case/${caseNumber}?sig=${'0'.repeat(500)}`)
      .set('X-Forwarded-For', freshIp())
      .set('Accept-Language', 'de');
    expect(forged.status).toBe(404);
    expect(garbage.status).toBe(404);
    expect(forged.text).toContain('keine Anfrage gefunden');
  });
});

describe('the status link in the console', () => {
  async function signIn(user: { email: string; password: string }) {
    const console = request.agent(app.url);
    const login = await console.get('/login');
    await console
      .post('/login')
      .type('form')
      .send({ _csrf: csrfFrom(login.text), email: user.email, password: user.password })
      .expect(302);
    return console;
  }

  it('when an agent opens the conversation, then the context panel offers the signed status link, and it opens the case page', async () => {
    const page = await (await signIn(agent)).get(`/conversations/${conversationId}`).expect(200);
    expect(page.text).toContain('Status link for the customer'); // the agent's own language
    const expected = caseStatusLink(app.services.config.baseUrl, caseLinkSigner(app.services.config.encryptionKey), caseNumber);
    expect(page.text).toContain(`value="${expected}"`);
    const link = new URL(expected);
    const res = await request(app.url).get(`${link.pathname}${link.search}`).set('X-Forwarded-For', freshIp()).expect(200);
    expect(res.text).toContain('Ihr Paket ist unterwegs.');
  });

  it('when an auditor opens the conversation, then no status link is shown (they do not write to customers)', async () => {
    const auditor = await makeUser(app.services.db, { role: 'auditor' });
    const page = await (await signIn(auditor)).get(`/conversations/${conversationId}`).expect(200);
    expect(page.text).not.toContain('case-link-input');
  });
});
