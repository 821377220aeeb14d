/**
 * Editing a connected channel's settings and credentials in the console (X, WhatsApp, Telegram, e-mail: every
 * kind whose connector has a setup). The form is read by the same connector setup that connects a channel,
 * on top of what is stored: a secret field left empty keeps the stored secret, any other empty field means
 * "not given" (the default applies). New URLs and hosts pass the outbound-target guard, the remote identity
 * must stay free; changed settings are audited with before and after, changed credentials only masked. The
 * backoff starts fresh; the caller syncs the poll schedule after commit with the returned schedule facts.
 */
import { isDeepStrictEqual } from 'node:util';
import type { Connectors } from '../../../connectors/types';
import type { SecretBox } from '../../crypto/secretBox';
import type { Tx } from '../../db/client';
import type { Channel } from '../../db/schema';
import { appendAudit } from '../../db/repositories/audit.repo';
import { lockChannel } from '../../db/repositories/channelHealth.repo';
import { updateConnectedChannel } from '../../db/repositories/channels.repo';
import { findChannelBySetting } from '../../db/repositories/webhookInbox.repo';
import { BadRequest, Conflict, NotFound } from '../../errors';
import type { Actor } from '../audit/actor';
import { parseInput } from '../parseInput';
import type { PollSchedule } from './channelPolling';
import { maskCredentials } from './maskCredentials';
import { assertOutboundTargets } from './outboundTargets';

/** Form fields that hold secrets: never shown, never echoed back; left empty on an edit they keep the stored value. */
export const SECRET_FIELDS = [
  'bearerToken',
  'appKey',
  'appSecret',
  'accessToken',
  'accessSecret',
  'botToken',
  'verifyToken',
  'pageToken',
  'imapPassword',
  'smtpPassword',
];
/** Credentials that are logins, not secrets: the edit form shows them. */
const LOGIN_FIELDS = ['imapUser', 'smtpUser'];

/** Form fields an edit never takes (tracked searches have their own form). */
const NOT_EDITED = ['_csrf', 'searches'];

/** What the edit form shows for a channel: its name, poll interval, settings and logins, no secret. */
export function editFormValues(channel: Pick<Channel, 'name' | 'pollIntervalSeconds' | 'settings'>, credentials: Record<string, string>) {
  const logins = Object.fromEntries(Object.entries(credentials).filter(([k]) => LOGIN_FIELDS.includes(k)));
  return { ...(channel.settings as Record<string, unknown>), ...logins, name: channel.name, pollIntervalSeconds: channel.pollIntervalSeconds };
}

const trimSlash = (s: unknown) => String(s ?? '').replace(/\/+$/, '');

export async function editChannelSettings(
  tx: Tx,
  deps: { secretBox: SecretBox; connectors: Connectors },
  channelId: string,
  form: Record<string, unknown>,
  actor: Actor,
): Promise<PollSchedule> {
  const channel = await lockChannel(tx, channelId);
  if (!channel) throw new NotFound('Channel');
  const connector = deps.connectors.of(channel.kind);
  if (!connector?.setup) throw new BadRequest('The settings of this channel cannot be edited here');
  const stored = channel.credentialsEnc ? (JSON.parse(deps.secretBox.open(channel.credentialsEnc)) as Record<string, string>) : {};
  const settings = channel.settings as Record<string, unknown>;

  const input: Record<string, unknown> = { ...settings, name: channel.name, pollIntervalSeconds: channel.pollIntervalSeconds };
  for (const [k, v] of Object.entries(stored)) if (v !== '') input[k] = v;
  for (const [k, v] of Object.entries(form)) {
    if (NOT_EDITED.includes(k)) continue;
    if (v !== '') input[k] = v;
    else if (!SECRET_FIELDS.includes(k)) input[k] = undefined;
  }
  const v = parseInput(connector.setup, input, 'channel');

  // Only what changed is checked again: a stored target passed the guard when it was entered.
  const changedTargets = Object.fromEntries(
    Object.entries(v.outboundTargets).filter(
      ([field, target]) => target && trimSlash('url' in target ? target.url : target.host) !== trimSlash(settings[field]),
    ),
  );
  await assertOutboundTargets(changedTargets);
  if (v.unique) {
    const holder = await findChannelBySetting(tx, channel.kind, v.unique.setting, v.unique.value);
    if (holder && holder.id !== channel.id) throw new Conflict(v.unique.message, { fields: { [v.unique.field]: 'taken' } });
  }

  const before: Record<string, unknown> = { name: channel.name, ...settings, pollIntervalSeconds: channel.pollIntervalSeconds };
  const pollIntervalSeconds = v.pollIntervalSeconds ?? channel.pollIntervalSeconds;
  const after: Record<string, unknown> = { name: v.name, ...v.settings, pollIntervalSeconds };
  const changed = [...new Set([...Object.keys(before), ...Object.keys(after)])].filter((k) => !isDeepStrictEqual(before[k] ?? null, after[k] ?? null));
  const credentialsChanged = !isDeepStrictEqual(v.credentials, stored);
  const schedule = { id: channel.id, kind: channel.kind, paused: channel.paused, pollIntervalSeconds };
  if (!changed.length && !credentialsChanged) return schedule;

  await updateConnectedChannel(tx, channel.id, {
    name: v.name,
    settings: v.settings,
    pollIntervalSeconds,
    credentialsEnc: credentialsChanged ? deps.secretBox.seal(JSON.stringify(v.credentials)) : channel.credentialsEnc,
  });
  const pick = (o: Record<string, unknown>) => Object.fromEntries(changed.map((k) => [k, o[k] ?? null]));
  const event = { actor, subjectType: 'channel', subjectId: channel.id, channelId: channel.id };
  if (changed.length) await appendAudit(tx, { ...event, action: 'channel.updated', before: pick(before), after: pick(after) });
  if (credentialsChanged)
    await appendAudit(tx, { ...event, action: 'channel.credentials_changed', before: null, after: { credentials: maskCredentials(v.credentials) } });
  return schedule;
}
