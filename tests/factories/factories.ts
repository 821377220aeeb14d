/** Builders for test data through the real domain commands; every call takes overrides. */
import { randomUUID } from 'node:crypto';
import type { Db } from '../../server/db/client';
import type { Role } from '../../server/db/schema';
import type { SecretBox } from '../../server/crypto/secretBox';
import { systemActor } from '../../server/domain/audit/actor';
import { createApiChannel } from '../../server/domain/channels/api/createApiChannel';
import { createApiToken } from '../../server/domain/users/createApiToken';
import { createUser } from '../../server/domain/users/createUser';

const factoryActor = systemActor('test-factory');
export const TEST_PASSWORD = 'correct-horse-battery';

export async function makeUser(db: Db, overrides: { role?: Role; name?: string; email?: string; locale?: 'de' | 'en' } = {}) {
  const role = overrides.role ?? 'agent';
  const input = {
    email: overrides.email ?? `${role}-${randomUUID().slice(0, 8)}@example.test`,
    name: overrides.name ?? `Test ${role}`,
    role,
    password: TEST_PASSWORD,
    locale: overrides.locale ?? 'en',
  };
  const user = await db.transaction().execute((tx) => createUser(tx, input, factoryActor));
  const { token } = await db.transaction().execute((tx) => createApiToken(tx, user.id, factoryActor));
  return { ...user, password: TEST_PASSWORD, token };
}

/**
 * Channels from these factories start with the case-number footer off (the product's default is on, migration
 * 034), so a test about something else sees its reply text exactly; tests/integration/offlineMail.test.ts turns it on.
 */
export async function setCaseFooter(db: Db, channelId: string, on: boolean) {
  await db.updateTable('channels').set({ caseFooter: on }).where('id', '=', channelId).execute();
}

export async function makeApiChannel(db: Db, secretBox: SecretBox, overrides: { name?: string; webhookUrl?: string | null } = {}) {
  const created = await db.transaction().execute((tx) =>
    createApiChannel(
      tx,
      secretBox,
      {
        name: overrides.name ?? `API ${randomUUID().slice(0, 6)}`,
        webhookUrl: overrides.webhookUrl ?? null,
      },
      factoryActor,
    ),
  );
  await setCaseFooter(db, created.channelId, false);
  return created;
}

let postCounter = 0;
/** A valid ingest body for the API channel. */
export function inboundPost(
  overrides: Partial<{
    externalId: string;
    text: string;
    postedAt: string;
    inReplyToExternalId: string;
    author: { externalId: string; name: string; handle?: string };
  }> = {},
) {
  postCounter += 1;
  return {
    externalId: `post-${randomUUID()}`,
    author: { externalId: `cust-${postCounter}-${randomUUID().slice(0, 6)}`, name: 'Erika Mustermann', handle: 'erika' },
    text: 'Meine Bestellung ist noch nicht angekommen.',
    postedAt: new Date().toISOString(),
    ...overrides,
  };
}
