/**
 * Demo data for the messaging channels: a WhatsApp number whose replies go to the console's own demo
 * Graph sink (demoGraphSink.routes.ts), and a Telegram bot and a mailbox pointing at local endpoints that
 * do not exist — those two are paused (no polling errors pile up) and their replies fail with a clear reason.
 */
import { emailConnector } from '../../connectors/email/emailConnector';
import { telegramConnector } from '../../connectors/telegram/telegramConnector';
import { whatsappConnector } from '../../connectors/whatsapp/whatsappConnector';
import type { SecretBox } from '../crypto/secretBox';
import type { Tx } from '../db/client';
import { setChannelPaused } from '../db/repositories/webhookInbox.repo';
import { systemActor } from '../domain/audit/actor';
import { connectChannel } from '../domain/channels/connectChannel';
import { ingestInbound } from '../domain/conversations/ingestInbound';
import { Effects } from '../domain/effects';

export const DEMO_GRAPH_PATH = '/demo/graph';
const actor = systemActor('demo-loader');

type Line = { from: string; name: string; handle: string; text: string; minutesAgo: number; id: string; raw?: unknown };

export async function seedDemoMessaging(tx: Tx, secretBox: SecretBox, consoleBaseUrl: string | null, now: Date) {
  const wa = await connectChannel(
    tx,
    secretBox,
    whatsappConnector,
    {
      name: 'WhatsApp Kundenservice',
      phoneNumberId: '100200300400',
      displayPhoneNumber: '+49 30 1234567',
      graphBaseUrl: consoleBaseUrl ? `${consoleBaseUrl}${DEMO_GRAPH_PATH}` : 'http://127.0.0.1:9/v21.0',
      templates: [
        { name: 'order_followup', language: 'de' },
        { name: 'order_followup', language: 'en' },
      ],
      accessToken: 'demo-access-token',
      appSecret: 'demo-app-secret',
      verifyToken: 'demo-verify-token',
    },
    actor,
  );
  const tg = await connectChannel(
    tx,
    secretBox,
    telegramConnector,
    {
      name: 'Telegram @replyline_demo_bot',
      botToken: '7000000001:AAHdemo-token-not-real-000000',
      botUsername: 'replyline_demo_bot',
      apiBaseUrl: 'http://127.0.0.1:9',
    },
    actor,
  );
  const mail = await connectChannel(
    tx,
    secretBox,
    emailConnector,
    {
      name: 'E-Mail service@replyline.test',
      address: 'service@replyline.test',
      imapHost: '127.0.0.1',
      imapPort: 9,
      imapSecure: false,
      imapUser: 'service@replyline.test',
      imapPassword: 'demo',
      smtpHost: '127.0.0.1',
      smtpPort: 9,
    },
    actor,
  );
  await setChannelPaused(tx, tg.channelId, true);
  await setChannelPaused(tx, mail.channelId, true);

  const lines: [string, Line[]][] = [
    [
      wa.channelId,
      [
        {
          id: 'wamid.DEMO1',
          from: '4915112345001',
          name: 'Lena Schulz',
          handle: '+4915112345001',
          text: 'Hallo! Mein Paket wurde als zugestellt markiert, ist aber nicht da 😕',
          minutesAgo: 40,
        },
        {
          id: 'wamid.DEMO2',
          from: '4915112345001',
          name: 'Lena Schulz',
          handle: '+4915112345001',
          text: '[image] So sieht der Briefkasten aus',
          minutesAgo: 38,
          raw: { type: 'image', image: { id: 'DEMO-MEDIA-1' } },
        },
        {
          id: 'wamid.DEMO3',
          from: '4917612345002',
          name: 'Murat Yilmaz',
          handle: '+4917612345002',
          text: '[location] Filiale Alexanderplatz (52.5219, 13.4132)',
          minutesAgo: 15,
        },
        {
          id: 'wamid.DEMO4',
          from: '4916012345003',
          name: 'Hanna Vogel',
          handle: '+4916012345003',
          text: 'Kann ich meine Bestellung noch stornieren?',
          minutesAgo: 60 * 30,
        },
      ],
    ],
    [
      tg.channelId,
      [
        { id: '555001:11', from: '555001', name: 'Paul Becker', handle: 'paulb', text: 'Guten Morgen, ich komme nicht in mein Kundenkonto.', minutesAgo: 25 },
        { id: '-1001234567890:42', from: '555002', name: 'Mia Krause', handle: 'mia_k', text: 'Gibt es die Jacke noch in Größe M?', minutesAgo: 90 },
      ],
    ],
    [
      mail.channelId,
      [
        {
          id: '<demo.1@kunde.example>',
          from: 'sabine.wolf@kunde.example',
          name: 'Sabine Wolf',
          handle: 'sabine.wolf@kunde.example',
          text: 'Rechnung 2026-114 doppelt abgebucht\n\nGuten Tag,\nmir wurde die Rechnung zweimal abgebucht. Bitte erstatten Sie den Betrag.\n\nMit freundlichen Grüßen\nSabine Wolf',
          minutesAgo: 180,
          raw: { subject: 'Rechnung 2026-114 doppelt abgebucht', references: [] },
        },
        {
          id: '<demo.2@kunde.example>',
          from: 'karl@kunde.example',
          name: 'Karl Meier',
          handle: 'karl@kunde.example',
          text: 'Retoure Auftrag 5521\n\nWie schicke ich die Ware zurück?\n\n[attachments] lieferschein.pdf (84 KB)',
          minutesAgo: 300,
          raw: { subject: 'Retoure Auftrag 5521', references: [] },
        },
      ],
    ],
  ];
  // Effects are dropped: the clocks are on the rows, where the worker's SLA sweep finds them.
  const effects = new Effects();
  for (const [channelId, msgs] of lines) {
    for (const m of msgs) {
      await ingestInbound(
        tx,
        effects,
        {
          channelId,
          externalId: m.id,
          author: { externalId: m.from, name: m.name, handle: m.handle },
          text: m.text,
          postedAt: new Date(now.getTime() - m.minutesAgo * 60_000),
          raw: m.raw ?? null,
        },
        actor,
      );
    }
  }
  return [wa.channelId, tg.channelId, mail.channelId];
}
