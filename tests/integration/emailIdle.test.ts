/** IMAP IDLE: new mail in a watched mailbox is fetched at once, long before the next scheduled poll. */
import { makeEmailChannel } from '../factories/messagingChannels';
import { startDovecot, type Dovecot } from '../support/dovecot';
import { startSmtpSink, type SmtpSink } from '../support/smtpSink';
import { startTestApp, type TestApp } from '../support/testApp';
import { until } from '../support/until';

jest.setTimeout(60_000);

let app: TestApp | undefined;
let imap: Dovecot;
let smtp: SmtpSink;
beforeAll(async () => {
  [imap, smtp] = await Promise.all([startDovecot(), startSmtpSink()]);
});
afterAll(async () => {
  await app?.stop();
  await imap.stop();
  await smtp.close();
});

it('when a mail arrives in a mailbox whose next scheduled poll is an hour away, then IDLE fetches it within seconds', async () => {
  // The channel exists before the worker starts, with an hour between scheduled polls.
  const bootstrap = await startTestApp();
  const channel = await makeEmailChannel(bootstrap.services.db, bootstrap.services.secretBox, { imap, smtp });
  await bootstrap.services.db.updateTable('channels').set({ pollIntervalSeconds: 3600 }).where('id', '=', channel.channelId).execute();
  await bootstrap.stop();

  app = await startTestApp({ workers: true });
  const db = app.services.db;
  // Let any first poll finish and the IDLE connection settle before the mail arrives.
  await until(
    'the first poll',
    async () => (await db.selectFrom('channels').select('lastSuccessAt').where('id', '=', channel.channelId).executeTakeFirst())?.lastSuccessAt,
    20_000,
  );
  await new Promise((r) => setTimeout(r, 1_000));

  await imap.append(
    [
      'From: Karl Kunde <karl@kunde.example>',
      'To: support@example.test',
      'Subject: Lieferung fehlt',
      `Date: ${new Date().toUTCString()}`,
      'Message-ID: <idle-1@kunde.example>',
      'Content-Type: text/plain; charset=utf-8',
      '',
      'Wo bleibt mein Paket?',
    ].join('\r\n'),
  );
  const message = await until(
    'the mail in the inbox',
    () =>
      db
        .selectFrom('messages')
        .select(['externalId', 'authorName'])
        .where('channelId', '=', channel.channelId)
        .where('externalId', '=', '<idle-1@kunde.example>')
        .executeTakeFirst(),
    15_000,
  );
  expect(message.authorName).toBe('Karl Kunde');
});
