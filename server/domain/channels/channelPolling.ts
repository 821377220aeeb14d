/**
 * What managers change on a polling channel: pause and resume, the poll interval, tracked searches,
 * and (admins and managers) its credentials. Each change is audited in its transaction; the caller
 * syncs the poll schedule after commit with the returned schedule facts.
 */
import { z } from 'zod';
import { pollIntervalSchema, searchQuerySchema, type Connectors } from '../../../connectors/types';
import type { SecretBox } from '../../crypto/secretBox';
import type { Tx } from '../../db/client';
import type { ChannelKind } from '../../db/schema';
import { appendAudit } from '../../db/repositories/audit.repo';
import type { AuditAction } from '../audit/actions';
import {
  insertTrackedSearch,
  lockChannel,
  removeTrackedSearch as removeSearchRow,
  setChannelCredentials,
  setChannelPolling,
} from '../../db/repositories/channelHealth.repo';
import { BadRequest, NotFound } from '../../errors';
import type { Actor } from '../audit/actor';
import { parseInput } from '../parseInput';
import { maskCredentials } from './maskCredentials';

export type PollSchedule = { id: string; kind: ChannelKind; paused: boolean; pollIntervalSeconds: number };

async function load(tx: Tx, channelId: string) {
  const channel = await lockChannel(tx, channelId);
  if (!channel) throw new NotFound('Channel');
  return channel;
}

const audit = (actor: Actor, channelId: string, action: AuditAction, before: unknown, after: unknown) => ({
  actor,
  action,
  subjectType: 'channel',
  subjectId: channelId,
  channelId,
  before,
  after,
});

export async function setChannelPaused(tx: Tx, channelId: string, paused: boolean, actor: Actor): Promise<PollSchedule> {
  const channel = await load(tx, channelId);
  if (channel.paused !== paused) {
    // Resuming starts fresh: no leftover backoff from before the pause.
    await setChannelPolling(tx, channelId, paused ? { paused } : { paused, nextPollAt: null, consecutiveFailures: 0 });
    await appendAudit(tx, audit(actor, channelId, paused ? 'channel.paused' : 'channel.resumed', { paused: channel.paused }, { paused }));
  }
  return { id: channel.id, kind: channel.kind, paused, pollIntervalSeconds: channel.pollIntervalSeconds };
}

export async function setPollInterval(tx: Tx, channelId: string, input: unknown, actor: Actor): Promise<PollSchedule> {
  const seconds = parseInput(z.object({ pollIntervalSeconds: pollIntervalSchema }), input, 'interval').pollIntervalSeconds;
  const channel = await load(tx, channelId);
  if (channel.pollIntervalSeconds !== seconds) {
    await setChannelPolling(tx, channelId, { pollIntervalSeconds: seconds });
    await appendAudit(
      tx,
      audit(actor, channelId, 'channel.poll_interval_changed', { pollIntervalSeconds: channel.pollIntervalSeconds }, { pollIntervalSeconds: seconds }),
    );
  }
  return { id: channel.id, kind: channel.kind, paused: channel.paused, pollIntervalSeconds: seconds };
}

export async function addTrackedSearch(tx: Tx, connectors: Connectors, channelId: string, input: unknown, actor: Actor) {
  const { query } = parseInput(z.object({ query: searchQuerySchema }), input, 'search');
  const channel = await load(tx, channelId);
  if (!connectors.of(channel.kind)?.capabilities.trackedSearches)
    throw new BadRequest('This channel cannot track searches', { fields: { query: 'not supported' } });
  return startTrackedSearch(tx, channelId, query, actor);
}

const topicNameFor = (query: string) => (query.length > 80 ? `${query.slice(0, 79)}…` : query);

/** A new topic for a checked query, audited; also for the searches a channel is connected with. */
export async function startTrackedSearch(tx: Tx, channelId: string, query: string, actor: Actor) {
  const topic = await insertTrackedSearch(tx, { channelId, name: topicNameFor(query), query });
  await appendAudit(tx, { actor, action: 'topic.created', subjectType: 'topic', subjectId: topic.id, channelId, after: { name: topic.name, query } });
  return topic;
}

export async function removeTrackedSearch(tx: Tx, channelId: string, topicId: string, actor: Actor) {
  await load(tx, channelId);
  const removed = await removeSearchRow(tx, channelId, topicId);
  if (!removed) throw new NotFound('Tracked search');
  await appendAudit(tx, {
    actor,
    action: 'topic.removed',
    subjectType: 'topic',
    subjectId: topicId,
    channelId,
    before: { name: removed.name, query: removed.query },
  });
  return removed;
}

/**
 * New credentials, checked by the channel's own rules, replace the old ones whole; the audit shows only
 * their last four characters. Channels whose credentials are set only when they are connected refuse.
 */
export async function replaceCredentials(
  tx: Tx,
  deps: { secretBox: SecretBox; connectors: Connectors },
  channelId: string,
  input: unknown,
  actor: Actor,
): Promise<PollSchedule> {
  const channel = await load(tx, channelId);
  const form = deps.connectors.of(channel.kind)?.capabilities.credentials;
  if (!form) throw new BadRequest('The credentials of this channel cannot be replaced here');
  const v = parseInput(form.input, input, 'credentials');
  const credentials = Object.fromEntries(Object.entries(v).filter((e): e is [string, string] => typeof e[1] === 'string' && e[1].length > 0));
  await setChannelCredentials(tx, channelId, deps.secretBox.seal(JSON.stringify(credentials)));
  await appendAudit(tx, audit(actor, channelId, 'channel.credentials_changed', null, { credentials: maskCredentials(credentials) }));
  return { id: channel.id, kind: channel.kind, paused: channel.paused, pollIntervalSeconds: channel.pollIntervalSeconds };
}
