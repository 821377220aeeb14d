/** E-mail end to end against real servers on loopback: Dovecot (IMAP) in, smtp-server as the SMTP sink out. */
import request from 'supertest';
import { makeUser } from '../factories/factories';
import { makeEmailChannel } from '../factories/messagingChannels';
import { pollChannelOnce, type PollDeps } from '../../server/domain/channels/polling/pollChannel';
import { startDovecot, type Dovecot } from '../support/dovecot';
import { startSmtpSink, type SmtpSink } from '../support/smtpSink';
import { startTestApp, type TestApp } from '../support/testApp';

jest.setTimeout(60_000);

let app: TestApp;
let deps: PollDeps;
let imap: Dovecot;
let smtp: SmtpSink;
let counter = 0;

beforeAll(async () => {
  [app, smtp] = await Promise.all([startTestApp({ workers: true }), startSmtpSink()]);
  deps = app.services;
});
// A fresh mailbox per test: each channel reads the whole INBOX.
beforeEach(async () => {
  imap = await startDovecot();
});
afterEach(async () => {
  await imap.stop();
});
afterAll(async () => {
  await smtp.close();
  await app.stop();
});

const db = () => app.services.db;
const channelFor = () => makeEmailChannel(db(), app.services.secretBox, { imap, smtp });
const messagesOf = (channelId: string) =>
  db().selectFrom('messages').selectAll().where('channelId', '=', channelId).orderBy('postedAt').orderBy('createdAt').execute();

function mail(
  o: { from?: string; subject?: string; body?: string; html?: string; messageId?: string; inReplyTo?: string; extraHeaders?: string; raw?: string } = {},
) {
  counter += 1;
  const messageId = o.messageId ?? `<m${Date.now()}.${counter}@kunde.example>`;
  if (o.raw) return { messageId, raw: o.raw };
  const head = [
    `From: ${o.from ?? 'Sabine Wolf <sabine.wolf@kunde.example>'}`,
    'To: support@example.test',
    `Subject: ${o.subject ?? 'Rechnung 2026-114 doppelt abgebucht'}`,
    `Date: ${new Date().toUTCString()}`,
    `Message-ID: ${messageId}`,
    'MIME-Version: 1.0',
    ...(o.inReplyTo ? [`In-Reply-To: ${o.inReplyTo}`, `References: ${o.inReplyTo}`] : []),
    ...(o.extraHeaders ? [o.extraHeaders] : []),
  ];
  const body = o.html
    ? ['Content-Type: text/html; charset=utf-8', '', o.html]
    : ['Content-Type: text/plain; charset=utf-8', '', o.body ?? 'Guten Tag,\r\nmir wurde die Rechnung zweimal abgebucht.\r\nSabine Wolf'];
  return { messageId, raw: [...head, ...body].join('\r\n') };
}

describe('reading a mailbox over IMAP', () => {
  it('when a mail arrives, then it is ingested with its Message-ID as external id and the UID cursor moves on, without duplicates', async () => {
    const ch = await channelFor();
    const m = mail();
    await imap.append(m.raw);
    expect(await pollChannelOnce(deps, ch.channelId)).toMatchObject({ outcome: 'polled', created: 1 });
    const [msg] = await messagesOf(ch.channelId);
    expect(msg).toMatchObject({ externalId: m.messageId, authorName: 'Sabine Wolf', authorHandle: 'sabine.wolf@kunde.example' });
    expect(msg!.text).toBe('Rechnung 2026-114 doppelt abgebucht\n\nGuten Tag,\nmir wurde die Rechnung zweimal abgebucht.\nSabine Wolf');
    const { cursor } = await db().selectFrom('channels').select('cursor').where('id', '=', ch.channelId).executeTakeFirstOrThrow();
    expect(cursor).toMatch(/^\d+:1$/);
    expect(await pollChannelOnce(deps, ch.channelId)).toMatchObject({ fetched: 0, created: 0 });
    expect(await messagesOf(ch.channelId)).toHaveLength(1);
  });

  it("when a mail's Date header says year 9999, then it is stored at its receipt time, the claimed date kept beside it", async () => {
    const ch = await channelFor();
    const m = mail();
    await imap.append(m.raw.replace(/^Date: .*$/m, 'Date: Fri, 31 Dec 9999 23:00:00 +0000'));
    const before = Date.now();
    await pollChannelOnce(deps, ch.channelId);
    const row = await db()
      .selectFrom('messages')
      .select(['postedAt', 'claimedPostedAt', 'slaDueAt'])
      .where('channelId', '=', ch.channelId)
      .executeTakeFirstOrThrow();
    expect(row.claimedPostedAt).toBe('9999-12-31T23:00:00.000Z');
    expect(row.postedAt.getTime()).toBeGreaterThanOrEqual(before - 1_000);
    expect(row.postedAt.getTime()).toBeLessThanOrEqual(Date.now());
  });

  it('when a mail is HTML only with a script and attachments, then the stored text is plain and safe and the attachments are listed', async () => {
    const ch = await channelFor();
    const boundary = 'b1_rl';
    const raw = [
      'From: Tom <tom@kunde.example>',
      'To: support@example.test',
      'Subject: Foto vom Schaden',
      `Message-ID: <html.${Date.now()}@kunde.example>`,
      'MIME-Version: 1.0',
      `Content-Type: multipart/mixed; boundary="${boundary}"`,
      '',
      `--${boundary}`,
      'Content-Type: text/html; charset=utf-8',
      '',
      '<p>Hallo &amp; guten Tag,</p><script>alert(1)</script><p>siehe <b>Anhang</b><img src="x" onerror="alert(2)"></p>',
      `--${boundary}`,
      'Content-Type: image/jpeg; name="schaden.jpg"',
      'Content-Disposition: attachment; filename="schaden.jpg"',
      'Content-Transfer-Encoding: base64',
      '',
      Buffer.alloc(3000, 7).toString('base64'),
      `--${boundary}--`,
      '',
    ].join('\r\n');
    await imap.append(raw);
    await pollChannelOnce(deps, ch.channelId);
    const [msg] = await messagesOf(ch.channelId);
    expect(msg!.text).toBe('Foto vom Schaden\n\nHallo & guten Tag,\nsiehe Anhang\n\n[attachments] schaden.jpg (3 KB)');
    expect((msg!.raw as { attachments: unknown[] }).attachments).toEqual([{ filename: 'schaden.jpg', contentType: 'image/jpeg', size: 3000 }]);
  });

  it('when a mail cannot be read (no sender), then it is logged and skipped, and the next mail still arrives', async () => {
    const ch = await channelFor();
    await imap.append('Subject: kaputt\r\nContent-Type: multipart/mixed; boundary="x"\r\n\r\n--x\r\nnonsense without end');
    const ok = mail({ subject: 'Danach' });
    await imap.append(ok.raw);
    const r = await pollChannelOnce(deps, ch.channelId);
    expect(r).toMatchObject({ created: 1, skipped: 1 });
    expect(app.logs.some((l) => l.includes('skipped an unreadable item') && l.includes('no From address'))).toBe(true);
    expect((await messagesOf(ch.channelId)).map((m) => m.externalId)).toEqual([ok.messageId]);
  });
});

describe('replying by e-mail', () => {
  it("when an agent replies, then the SMTP server gets it with the case number in the subject and threading headers, and the customer's answer joins the conversation", async () => {
    const ch = await channelFor();
    const agent = await makeUser(db(), { role: 'agent' });
    const first = mail({ subject: 'Lieferung unvollständig' });
    await imap.append(first.raw);
    await pollChannelOnce(deps, ch.channelId);
    const [inbound] = await messagesOf(ch.channelId);
    const conv = await db().selectFrom('conversations').select(['id', 'caseNumber']).where('id', '=', inbound!.conversationId).executeTakeFirstOrThrow();
    const before = smtp.received.length;
    const res = await request(app.url)
      .post(`/api/v1/conversations/${conv.id}/replies`)
      .auth(agent.token, { type: 'bearer' })
      .send({ text: 'Wir senden den fehlenden Artikel heute nach.' });
    expect(res.status).toBe(202);
    const [got] = (await smtp.waitFor(before + 1)).slice(before);
    expect(got!.envelopeTo).toEqual(['sabine.wolf@kunde.example']);
    expect(got!.mail.subject).toBe(`[#${conv.caseNumber}] Re: Lieferung unvollständig`);
    expect(got!.mail.inReplyTo).toBe(first.messageId);
    expect(got!.mail.references).toBe(first.messageId);
    expect(got!.mail.text?.trim()).toBe('Wir senden den fehlenden Artikel heute nach.');
    const deadline = Date.now() + 10_000;
    let reply;
    while (
      !(reply = await db().selectFrom('messages').selectAll().where('id', '=', res.body.messageId).where('deliveryState', '=', 'sent').executeTakeFirst())
    ) {
      if (Date.now() > deadline) throw new Error('reply never marked sent');
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(reply.externalId).toBe(got!.mail.messageId);

    const answer = mail({ subject: `Re: [#${conv.caseNumber}] Re: Lieferung unvollständig`, body: 'Danke!', inReplyTo: got!.mail.messageId });
    await imap.append(answer.raw);
    await pollChannelOnce(deps, ch.channelId);
    const joined = await db().selectFrom('messages').select('conversationId').where('externalId', '=', answer.messageId).executeTakeFirstOrThrow();
    expect(joined.conversationId).toBe(conv.id);
  });
});
