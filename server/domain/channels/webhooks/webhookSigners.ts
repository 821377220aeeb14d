/**
 * Who may sign an endpoint's deliveries: its channels that have a webhook identity (address and signing secret).
 * Checked twice, as an API channel's ingest token is (../api/ingestAccess.ts):
 *
 * - when the delivery arrives, against this web process's copy of the endpoint's channels — at most
 *   SIGNERS_TTL_MS old, and read again at once when no channel of the copy signed it or it names an address the
 *   copy does not know (a channel connected a moment ago takes deliveries at once); a delivery no longer costs a
 *   statement and a decryption per channel of its own;
 * - inside the transaction that stores it (one statement for its whole accept group, inboxGroups.ts), against
 *   the channels as they are then, key-share-locked until the commit (see signersNow): a delivery checked against
 *   a secret or address that has changed since is not stored but checked again against the channels as they are now.
 */
import type { Connectors, WebhookIdentity, WebhookSide } from '../../../../connectors/types';
import type { SecretBox } from '../../../crypto/secretBox';
import type { Db, Tx } from '../../../db/client';
import { listChannelsOfKinds, lockSigningChannels } from '../../../db/repositories/webhookInbox.repo';
import type { Channel, ChannelKind } from '../../../db/schema';
import { NotFound } from '../../../errors';

/** How long a web process trusts its copy of an endpoint's channels for the check on arrival. */
export const SIGNERS_TTL_MS = 5_000;

export type SignerDeps = { db: Db; secretBox: SecretBox; connectors: Connectors };
export type SignedChannel = { channel: Channel; side: WebhookSide; identity: WebhookIdentity };
/** The identity a delivery's signature was checked against, for one channel it is stored for. */
export type CheckedSigner = { channelId: string; identity: WebhookIdentity };

/** The push side of a channel kind's connector. */
export function webhookSideOf(connectors: Connectors, kind: ChannelKind): WebhookSide {
  const side = connectors.of(kind)?.webhook;
  if (!side) throw new NotFound(`${kind} webhook`);
  return side;
}

function identityOf({ secretBox, connectors }: Omit<SignerDeps, 'db'>, channel: Pick<Channel, 'kind' | 'settings' | 'credentialsEnc'>) {
  const side = connectors.of(channel.kind)?.webhook;
  if (!side || !channel.credentialsEnc) return null;
  const identity = side.identity(channel.settings, JSON.parse(secretBox.open(channel.credentialsEnc)) as Record<string, string>);
  return identity ? { side, identity } : null;
}

/** The endpoint's channels that can sign a delivery, as they are now. */
export async function readSigners(deps: SignerDeps, kinds: readonly ChannelKind[]): Promise<SignedChannel[]> {
  const out: SignedChannel[] = [];
  for (const channel of await listChannelsOfKinds(deps.db, kinds)) {
    const signer = identityOf(deps, channel);
    if (signer) out.push({ channel, ...signer });
  }
  return out;
}

export type SignerCopies = {
  /** The copy, read anew when older than SIGNERS_TTL_MS; `fresh` when it was read for this call. */
  current(): Promise<{ signers: SignedChannel[]; fresh: boolean }>;
  /** Read now (and kept as the copy). */
  fresh(): Promise<SignedChannel[]>;
};

/** This process's copy of what `read` reads (an endpoint's signers); concurrent requests share one read. */
export function createSignerCopies(read: () => Promise<SignedChannel[]>, now: () => number = Date.now): SignerCopies {
  let copy: { signers: Promise<SignedChannel[]>; readAt: number } | null = null;
  const readNow = () => {
    const signers = read();
    const mine = { signers, readAt: now() };
    copy = mine;
    // a failed read is not kept: the next request reads again
    signers.catch(() => {
      if (copy === mine) copy = null;
    });
    return signers;
  };
  return {
    async current() {
      if (copy && now() - copy.readAt < SIGNERS_TTL_MS) return { signers: await copy.signers, fresh: false };
      return { signers: await readNow(), fresh: true };
    },
    fresh: readNow,
  };
}

/**
 * Whether a delivery's signer still has, as the storing transaction sees it, the identity its signature was
 * checked against (same address and secret; not gone, not disconnected). The channels of `channelIds` are
 * key-share-locked until the transaction ends: whatever changes an identity locks the channel FOR UPDATE first
 * (editChannelSettings, replaceCredentials, setChannelTemplates), so it waits for the groups holding the row (as it
 * always waited for the ingest transactions, whose foreign keys key-share-lock it too; on a channel that never
 * rests it waits until they pause), and a group that comes after it sees the change; plain updates of the row
 * (poll leases, health) do not wait.
 */
export async function signersNow(tx: Tx, deps: Omit<SignerDeps, 'db'>, channelIds: string[]): Promise<(checked: CheckedSigner) => boolean> {
  const now = new Map<string, WebhookIdentity | undefined>();
  if (channelIds.length)
    for (const channel of await lockSigningChannels(tx, [...new Set(channelIds)])) now.set(channel.id, identityOf(deps, channel)?.identity);
  return ({ channelId, identity }) => {
    const current = now.get(channelId);
    return current !== undefined && current.address === identity.address && current.signingSecret === identity.signingSecret;
  };
}
