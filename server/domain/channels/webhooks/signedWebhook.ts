/**
 * Signed webhooks (Meta: WhatsApp, Facebook pages, Instagram; X: Account Activity), durable first: the request
 * only checks the signature and stores the raw delivery in webhook_inbox with the number of events it holds,
 * in one transaction with the deliveries of concurrent requests, which one drain-webhooks job names (after
 * commit; inboxGroups.ts); the job reads and ingests them. Senders retry any delivery not answered 200, so
 * the answer must be fast; ingest is idempotent by external id, and (with `dedupe`) a retry of the same body is
 * not even stored twice.
 */
import { createHash } from 'node:crypto';
import type { Connectors, HandshakeAnswer, WebhookIdentity, WebhookSide } from '../../../../connectors/types';
import type { SecretBox } from '../../../crypto/secretBox';
import type { Db } from '../../../db/client';
import type { Channel, ChannelKind, WebhookInboxTable } from '../../../db/schema';
import { listChannelsOfKinds } from '../../../db/repositories/webhookInbox.repo';
import { BadRequest, NotFound, Unauthorized } from '../../../errors';
import { assertStorable } from '../../storableText';
import type { InboxGroups } from './inboxGroups';

export type WebhookDeps = { db: Db; secretBox: SecretBox; connectors: Connectors };
/**
 * One endpoint: where it is mounted (the callback URL's path), which kinds it serves, what it routes by (named in
 * logs), how its rows are marked, whether retries are dropped by body hash.
 */
export type WebhookEndpoint = {
  path: string;
  kinds: readonly ChannelKind[];
  routedBy: string;
  inboxKind: WebhookInboxTable['kind'];
  dedupe: boolean;
};
type SignedChannel = { channel: Channel; side: WebhookSide; identity: WebhookIdentity };

/** The push side of a channel kind's connector. */
export function webhookSideOf(connectors: Connectors, kind: ChannelKind): WebhookSide {
  const side = connectors.of(kind)?.webhook;
  if (!side) throw new NotFound(`${kind} webhook`);
  return side;
}

async function signedChannels({ db, secretBox, connectors }: WebhookDeps, kinds: readonly ChannelKind[]) {
  const out: SignedChannel[] = [];
  const sides = new Map(kinds.map((kind) => [kind, webhookSideOf(connectors, kind)]));
  for (const channel of await listChannelsOfKinds(db, kinds)) {
    const side = sides.get(channel.kind);
    if (!side || !channel.credentialsEnc) continue;
    const identity = side.identity(channel.settings, JSON.parse(secretBox.open(channel.credentialsEnc)) as Record<string, string>);
    if (identity) out.push({ channel, side, identity });
  }
  return out;
}

/** GET handshake: the answer when it proves the identity of some channel of the endpoint (each kind's sender's way), else null. */
export async function answerHandshake(deps: WebhookDeps, kinds: readonly ChannelKind[], query: unknown): Promise<HandshakeAnswer | null> {
  const channels = await signedChannels(deps, kinds);
  for (const kind of kinds) {
    const identities = channels.filter((c) => c.channel.kind === kind).map((c) => c.identity);
    const answer = webhookSideOf(deps.connectors, kind).handshake(query, identities);
    if (answer) return answer;
  }
  return null;
}

export type WebhookReceipt = { stored: { inboxId: string; channelId: string }[]; repeated: number; unknownAddresses: string[]; ignored: boolean };

/**
 * POST: the signature must match the app secret of a channel of the endpoint (else 401, nothing stored). The
 * delivery is then routed by the addresses in it (phone number id, page id); addresses we do not know are
 * reported, not stored.
 */
export async function receiveSignedWebhook(
  deps: WebhookDeps & { inbox: InboxGroups },
  endpoint: WebhookEndpoint,
  rawBody: Buffer,
  signature: string | undefined,
): Promise<WebhookReceipt> {
  const channels = (await signedChannels(deps, endpoint.kinds)).filter((c) => c.side.signatureMatches(c.identity.signingSecret, rawBody, signature));
  if (!channels.length) throw new Unauthorized(`${webhookSideOf(deps.connectors, endpoint.kinds[0]!).signatureHeader} is missing or does not match`);
  let body: unknown;
  try {
    body = JSON.parse(rawBody.toString('utf8'));
  } catch {
    throw new BadRequest('The webhook body is not JSON');
  }
  assertStorable(body, 'webhook body');
  const targets: SignedChannel[] = [];
  const unknown = new Set<string>();
  let understood = false;
  for (const kind of endpoint.kinds) {
    const addresses = webhookSideOf(deps.connectors, kind).addressesOf(body);
    if (!addresses) continue;
    understood = true;
    for (const address of addresses) {
      const c = channels.find((ch) => ch.channel.kind === kind && ch.identity.address === address);
      if (c) targets.push(c);
      else unknown.add(address);
    }
  }
  if (!understood) return { stored: [], repeated: 0, unknownAddresses: [], ignored: true };
  const payload = rawBody.toString('utf8');
  const bodySha256 = endpoint.dedupe ? createHash('sha256').update(rawBody).digest('hex') : null;
  const ids = await deps.inbox.store(
    targets.map((t) => ({ kind: endpoint.inboxKind, channelId: t.channel.id, payload, bodySha256, events: t.side.eventsFor(body, t.identity.address) })),
  );
  const stored = targets.flatMap((t, i) => (ids[i] ? [{ inboxId: ids[i], channelId: t.channel.id }] : []));
  const repeated = ids.filter((id) => id === null).length;
  return { stored, repeated, unknownAddresses: [...unknown], ignored: false };
}
