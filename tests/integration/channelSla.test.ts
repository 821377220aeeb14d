/** Per-channel SLA works the same for every channel kind: WhatsApp on 30 minutes 24/7 next to e-mail on 24 business hours. */
import request from 'supertest';
import { systemActor } from '../../server/domain/audit/actor';
import type { NormalizedInbound } from '../../connectors/types';
import { ingestInbound } from '../../server/domain/conversations/ingestInbound';
import { inTransaction } from '../../server/domain/effects';
import { makeUser } from '../factories/factories';
import { makeEmailChannel, makeWhatsappChannel } from '../factories/messagingChannels';
import { startTestApp, type TestApp } from '../support/testApp';

let app: TestApp;
let token: string;
beforeAll(async () => {
  app = await startTestApp();
  token = (await makeUser(app.services.db, { role: 'manager' })).token;
});
afterAll(async () => {
  await app.stop();
});

const api = () => ({
  post: (path: string) => request(app.url).post(`/api/v1${path}`).auth(token, { type: 'bearer' }),
  patch: (path: string) => request(app.url).patch(`/api/v1${path}`).auth(token, { type: 'bearer' }),
  get: (path: string) => request(app.url).get(`/api/v1${path}`).auth(token, { type: 'bearer' }),
});

const weekdays = (interval: [string, string]) => Object.fromEntries(['mon', 'tue', 'wed', 'thu', 'fri'].map((d) => [d, [interval]]));

async function policyOn(channelId: string, calendar: object | null, firstResponseMinutes: number) {
  const calendarId = calendar ? (await api().post('/calendars').send(calendar).expect(201)).body.id : null;
  const policy = await api()
    .post('/sla-policies')
    .send({ name: `${firstResponseMinutes} min`, calendarId, firstResponseMinutes, nextResponseMinutes: firstResponseMinutes, warnAtPercent: 80 })
    .expect(201);
  await api().patch(`/channels/${channelId}`).send({ slaPolicyId: policy.body.id }).expect(200);
}

async function ingest(post: NormalizedInbound) {
  const { conversationId } = await inTransaction(app.services.db, app.services.dispatcher, (tx, effects) =>
    ingestInbound(tx, effects, post, systemActor('test')),
  );
  const res = await api().get(`/conversations/${conversationId}`).expect(200);
  return res.body.messages[0].sla as { dueAt: string; state: string };
}

it('when a WhatsApp channel has 30 minutes 24/7 and a mailbox 24 business hours, then the same Friday-evening post is due at different times', async () => {
  const whatsapp = await makeWhatsappChannel(app.services.db, app.services.secretBox);
  const mailbox = await makeEmailChannel(app.services.db, app.services.secretBox, {
    imap: { host: '127.0.0.1', port: 1, user: 'support@example.test', password: 'unused' },
    smtp: { host: '127.0.0.1', port: 1 },
  });
  await policyOn(whatsapp.channelId, null, 30);
  await policyOn(
    mailbox.channelId,
    {
      name: 'Berlin office',
      timeZone: 'Europe/Berlin',
      weekly: weekdays(['09:00', '17:00']),
      holidays: { country: 'DE', region: 'NW' },
      closures: [],
    },
    24 * 60,
  );

  const postedAt = new Date('2026-11-27T17:30:00+01:00'); // a Friday, after office hours
  const author = { externalId: 'customer-1', name: 'Erika Mustermann' };
  const onWhatsapp = await ingest({ channelId: whatsapp.channelId, externalId: 'wamid.sla-1', author, text: 'Hallo?', postedAt });
  const byMail = await ingest({
    channelId: mailbox.channelId,
    externalId: '<sla-1@kunde.example>',
    author: { ...author, externalId: 'erika@kunde.example' },
    text: 'Hallo?',
    postedAt,
  });

  expect(onWhatsapp.dueAt).toBe('2026-11-27T17:00:00.000Z'); // 30 wall-clock minutes later
  // 24 business hours of 8-hour days: Mon 30 Nov, Tue 1 Dec, Wed 2 Dec → due Wednesday 17:00 Berlin.
  expect(byMail.dueAt).toBe('2026-12-02T16:00:00.000Z');
});
