/** Builders for WhatsApp, Telegram, e-mail, Facebook and Instagram channels through the real domain commands (case-number footer off: see setCaseFooter). */
import { randomUUID } from 'node:crypto';
import { emailConnector } from '../../connectors/email/emailConnector';
import { facebookConnector, instagramConnector } from '../../connectors/meta/metaConnector';
import type { NewMetaChannel } from '../../connectors/meta/setup';
import { telegramConnector } from '../../connectors/telegram/telegramConnector';
import type { NewWhatsappChannel } from '../../connectors/whatsapp/setup';
import { whatsappConnector } from '../../connectors/whatsapp/whatsappConnector';
import type { SecretBox } from '../../server/crypto/secretBox';
import type { Db } from '../../server/db/client';
import { systemActor } from '../../server/domain/audit/actor';
import { connectChannel } from '../../server/domain/channels/connectChannel';
import { setCaseFooter } from './factories';

const factoryActor = systemActor('test-factory');
let phoneCounter = 0;

export async function makeWhatsappChannel(db: Db, secretBox: SecretBox, overrides: Partial<NewWhatsappChannel> = {}) {
  phoneCounter += 1;
  const input = {
    name: `WhatsApp ${randomUUID().slice(0, 6)}`,
    phoneNumberId: `10${Date.now() % 1e9}${phoneCounter}`,
    accessToken: `EAAG-test-${randomUUID()}`,
    appSecret: `app-secret-${randomUUID()}`,
    verifyToken: `verify-${randomUUID()}`,
    ...overrides,
  };
  const created = await db.transaction().execute((tx) => connectChannel(tx, secretBox, whatsappConnector, input, factoryActor));
  await setCaseFooter(db, created.channelId, false);
  return { ...created, ...input, verifyToken: created.shownOnce.verifyToken };
}

export async function makeTelegramChannel(
  db: Db,
  secretBox: SecretBox,
  fake: { baseUrl: string; token: string; botUsername: string },
  overrides: { name?: string } = {},
) {
  const input = {
    name: overrides.name ?? `Telegram ${randomUUID().slice(0, 6)}`,
    botToken: fake.token,
    botUsername: fake.botUsername,
    apiBaseUrl: fake.baseUrl,
    longPollSeconds: 0,
  };
  const created = await db.transaction().execute((tx) => connectChannel(tx, secretBox, telegramConnector, input, factoryActor));
  await setCaseFooter(db, created.channelId, false);
  return created;
}

export async function makeEmailChannel(
  db: Db,
  secretBox: SecretBox,
  servers: { imap: { host: string; port: number; user: string; password: string }; smtp: { host: string; port: number } },
  overrides: { name?: string; address?: string } = {},
) {
  const created = await db.transaction().execute((tx) =>
    connectChannel(
      tx,
      secretBox,
      emailConnector,
      {
        name: overrides.name ?? `Support-Mail ${randomUUID().slice(0, 6)}`,
        address: overrides.address ?? servers.imap.user,
        imapHost: servers.imap.host,
        imapPort: servers.imap.port,
        imapSecure: false,
        imapUser: servers.imap.user,
        imapPassword: servers.imap.password,
        smtpHost: servers.smtp.host,
        smtpPort: servers.smtp.port,
        smtpSecure: false,
      },
      factoryActor,
    ),
  );
  await setCaseFooter(db, created.channelId, false);
  return created;
}

let pageCounter = 0;

export async function makeMetaChannel(
  db: Db,
  secretBox: SecretBox,
  kind: 'facebook' | 'instagram',
  { caseFooter = false, ...overrides }: Partial<NewMetaChannel> & { caseFooter?: boolean } = {},
) {
  pageCounter += 1;
  const input = {
    name: `${kind === 'facebook' ? 'Facebook' : 'Instagram'} ${randomUUID().slice(0, 6)}`,
    pageId: `17${Date.now() % 1e9}${pageCounter}`,
    appSecret: `app-secret-${randomUUID()}`,
    pageToken: `EAAP-test-${randomUUID()}`,
    verifyToken: `verify-${randomUUID()}`,
    ...overrides,
  };
  const connector = kind === 'facebook' ? facebookConnector : instagramConnector;
  const created = await db.transaction().execute((tx) => connectChannel(tx, secretBox, connector, input, factoryActor));
  await setCaseFooter(db, created.channelId, caseFooter);
  return { ...created, ...input, verifyToken: created.shownOnce.verifyToken };
}
