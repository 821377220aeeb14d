/**
 * Signed webhooks (Meta: WhatsApp, Facebook pages, Instagram; X: Account Activity), durable first: the request
 * only checks the signature and stores the raw delivery in webhook_inbox with the number of events it holds,
 * in one transaction with the deliveries of concurrent requests, which one drain-webhooks job names (after
 * commit; inboxGroups.ts); the job reads and ingests them. Senders retry any delivery not answered 200, so
 * the answer must be fast; ingest is idempotent by external id, and (with `dedupe`) a retry of the same body is
 * not even stored twice.
 */
import { createHash } from 'node:crypto';
import type { HandshakeAnswer, WebhookSide } from '../../../../connectors/types';
import type { ChannelKind, WebhookInboxTable } from '../../../db/schema';
import { BadRequest, ServiceUnavailable, Unauthorized } from '../../../errors';
import { assertStorable } from '../../storableText';
import type { InboxGroups } from './inboxGroups';
import { readSigners, webhookSideOf, type SignedChannel, type SignerCopies, type SignerDeps } from './webhookSigners';

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

/** GET handshake: the answer when it proves the identity of some channel of the endpoint (each kind's sender's way), else null. */
export async function answerHandshake(deps: SignerDeps, kinds: readonly ChannelKind[], query: unknown): Promise<HandshakeAnswer | null> {
  const channels = await readSigners(deps, kinds);
  for (const kind of kinds) {
    const identities = channels.filter((c) => c.channel.kind === kind).map((c) => c.identity);
    const answer = webhookSideOf(deps.connectors, kind).handshake(query, identities);
    if (answer) return answer;
  }
  return null;
}

export type WebhookReceipt = { stored: { inboxId: string; channelId: string }[]; repeated: number; unknownAddresses: string[]; ignored: boolean };

/** Reads of the endpoint's channels for one delivery, after the copy (a channel changing again and again in between). */
const MAX_READS = 3;

/**
 * POST: the signature must match the app secret of a channel of the endpoint (else 401, nothing stored). The
 * delivery is then routed by the addresses in it (phone number id, page id); addresses we do not know are
 * reported, not stored. The channels come from this process's copy (webhookSigners.ts), read again at once when
 * it cannot place the delivery or when the storing transaction finds a signer changed since.
 */
export async function receiveSignedWebhook(
  deps: { connectors: SignerDeps['connectors']; signers: SignerCopies; inbox: InboxGroups },
  endpoint: WebhookEndpoint,
  rawBody: Buffer,
  signature: string | undefined,
): Promise<WebhookReceipt> {
  const refused = () => new Unauthorized(`${webhookSideOf(deps.connectors, endpoint.kinds[0]!).signatureHeader} is missing or does not match`);
  if (!signature) throw refused();
  let { signers, fresh } = await deps.signers.current();
  let body: unknown;
  // the pages, numbers and accounts of one Meta app share its secret: the signature is computed once per secret
  // and way of signing
  const verdicts = new Map<WebhookSide['signatureMatches'], Map<string, boolean>>();
  const signedWith = ({ side, identity }: SignedChannel) => {
    const bySecret = verdicts.get(side.signatureMatches) ?? verdicts.set(side.signatureMatches, new Map()).get(side.signatureMatches)!;
    const known = bySecret.get(identity.signingSecret);
    if (known !== undefined) return known;
    const matches = side.signatureMatches(identity.signingSecret, rawBody, signature);
    bySecret.set(identity.signingSecret, matches);
    return matches;
  };
  for (let reads = 0; ; reads++) {
    if (reads > 0) ({ signers, fresh } = { signers: await deps.signers.fresh(), fresh: true });
    const signing = signers.filter(signedWith);
    if (!signing.length && !fresh) continue;
    if (!signing.length) throw refused();
    body ??= parseBody(rawBody);
    const routed = routeDelivery(deps, endpoint, body, signing);
    if (routed === null) return { stored: [], repeated: 0, unknownAddresses: [], ignored: true };
    if (routed.unknown.length && !fresh) continue;
    const receipt = await store(deps.inbox, endpoint, rawBody, body, routed.targets);
    if (receipt) return { ...receipt, unknownAddresses: routed.unknown, ignored: false };
    // a signer changed between the read and the storing transaction: once more against the channels as they are
    if (reads >= MAX_READS) throw new ServiceUnavailable('The channel changed while the delivery was stored; send it again', 1);
  }
}

function parseBody(rawBody: Buffer): unknown {
  let body: unknown;
  try {
    body = JSON.parse(rawBody.toString('utf8'));
  } catch {
    throw new BadRequest('The webhook body is not JSON');
  }
  assertStorable(body, 'webhook body');
  return body;
}

/** The signing channels the delivery is addressed to, and the addresses no signing channel has; null when no kind of the endpoint understands it. */
function routeDelivery(deps: { connectors: SignerDeps['connectors'] }, endpoint: WebhookEndpoint, body: unknown, signing: SignedChannel[]) {
  const targets: SignedChannel[] = [];
  const unknown = new Set<string>();
  let understood = false;
  for (const kind of endpoint.kinds) {
    const addresses = webhookSideOf(deps.connectors, kind).addressesOf(body);
    if (!addresses) continue;
    understood = true;
    for (const address of addresses) {
      const c = signing.find((ch) => ch.channel.kind === kind && ch.identity.address === address);
      if (c) targets.push(c);
      else unknown.add(address);
    }
  }
  return understood ? { targets, unknown: [...unknown] } : null;
}

/** Stores the delivery for each target channel; null when a target's identity changed since it was read (nothing stored). */
async function store(inbox: InboxGroups, endpoint: WebhookEndpoint, rawBody: Buffer, body: unknown, targets: SignedChannel[]) {
  const payload = rawBody.toString('utf8');
  const bodySha256 = endpoint.dedupe ? createHash('sha256').update(rawBody).digest('hex') : null;
  const receipt = await inbox.store({
    rows: targets.map((t) => ({ kind: endpoint.inboxKind, channelId: t.channel.id, payload, bodySha256, events: t.side.eventsFor(body, t.identity.address) })),
    signedBy: targets.map((t) => ({ channelId: t.channel.id, identity: t.identity })),
  });
  if (!('ids' in receipt)) return null;
  const { ids } = receipt;
  const stored = targets.flatMap((t, i) => (ids[i] ? [{ inboxId: ids[i], channelId: t.channel.id }] : []));
  return { stored, repeated: ids.filter((id) => id === null).length };
}
