/**
 * Routing: the router's lock, the online agents with the slots they use (locked), the waiting queue
 * (locked, skipping rows another transaction holds) and writing the decisions.
 */
import { sql } from 'kysely';
import type { DbOrTx, Tx } from '../client';
import type { ChannelKind, Priority } from '../schema';

/** One router at a time: routing passes, pulls and capacity checks of manual assignments queue up here. */
export async function takeRouterLock(tx: Tx): Promise<void> {
  await sql`SELECT pg_advisory_xact_lock(hashtext('replyline:router'))`.execute(tx);
}

export type AgentRow = {
  id: string;
  availability: 'online' | 'away' | 'offline';
  skills: unknown;
  capacity: unknown;
  idleSince: Date;
  absent: boolean;
  teamIds: string[];
};

const agentColumns = sql`p.user_id AS id, p.availability, p.skills, p.capacity, p.idle_since,
  EXISTS (SELECT 1 FROM absences a WHERE a.user_id = p.user_id AND a.cancelled_at IS NULL AND a.starts_at <= now() AND a.ends_at > now()) AS absent,
  coalesce((SELECT array_agg(tm.team_id) FROM team_members tm WHERE tm.user_id = p.user_id), '{}') AS team_ids`;

// A deactivated person is nobody's capacity, even while a console tab of theirs still says online.
const onlineAgentsQuery = sql`SELECT ${agentColumns} FROM agent_profiles p
    JOIN users u ON u.id = p.user_id AND u.role IN ('agent', 'manager') AND u.deactivated_at IS NULL
    WHERE p.availability = 'online' ORDER BY p.user_id`;

/** The online agents, locked in id order (a presence change waits for the pass that may give them work). */
export async function lockOnlineAgents(tx: Tx): Promise<AgentRow[]> {
  return (await sql<AgentRow>`${onlineAgentsQuery} FOR UPDATE OF p`.execute(tx)).rows;
}

/** The online agents as they are now, unlocked (what the website chat tells visitors about free capacity). */
export async function onlineAgents(db: DbOrTx): Promise<AgentRow[]> {
  return (await sql<AgentRow>`${onlineAgentsQuery}`.execute(db)).rows;
}

/** One agent's profile, locked (null: no profile yet, i.e. offline with default skills and slots). */
export async function lockAgent(tx: Tx, userId: string): Promise<AgentRow | null> {
  const r = await sql<AgentRow>`SELECT ${agentColumns} FROM agent_profiles p WHERE p.user_id = ${userId} FOR UPDATE OF p`.execute(tx);
  return r.rows[0] ?? null;
}

export type SlotUse = { assigneeId: string; kind: ChannelKind; threadKey: string | null; used: number };

/** The conversations occupying a slot, per agent and channel kind: assigned ones, and answered ones whose live chat is still open (slots.ts occupiesSlot). */
export async function slotsInUse(db: DbOrTx, agentIds: string[]): Promise<SlotUse[]> {
  if (agentIds.length === 0) return [];
  const r = await sql<SlotUse>`
    SELECT c.assignee_id, ch.kind, c.thread_key, count(*)::int AS used
    FROM conversations c JOIN channels ch ON ch.id = c.channel_id
    WHERE (c.status = 'assigned'
        OR (c.status = 'answered' AND EXISTS (SELECT 1 FROM chat_sessions s WHERE s.conversation_id = c.id AND s.ended_at IS NULL)))
      AND c.assignee_id = ANY(${agentIds}::uuid[])
    GROUP BY 1, 2, 3`.execute(db);
  return r.rows;
}

export type QueuedRow = {
  id: string;
  channelId: string;
  kind: ChannelKind;
  threadKey: string | null;
  dueAt: Date | null;
  priority: Priority;
  waitingSince: Date;
  language: string | null;
  region: string | null;
  topic: string | null;
  teamId: string | null;
  routingMode: 'manual' | 'auto' | 'pull';
  /** a live chat whose session has not ended (an offline-form case on a webchat channel has none) */
  openChat: boolean;
};

const queuedColumns = sql`c.id, c.channel_id, ch.kind, c.thread_key, c.response_due_at AS due_at, c.priority, c.created_at AS waiting_since,
  c.language, c.region, t.name AS topic, ch.routing_team_id AS team_id, ch.routing_mode,
  EXISTS (SELECT 1 FROM chat_sessions s WHERE s.conversation_id = c.id AND s.ended_at IS NULL) AS open_chat`;
/** A chat (033_bot_first) or a messaging conversation (036_channel_bot) the bot still holds: in no queue until its handover. Needs the conversation as `c`. */
const heldByBot = sql`(EXISTS (SELECT 1 FROM chat_sessions s WHERE s.conversation_id = c.id AND s.bot_state = 'holding')
  OR EXISTS (SELECT 1 FROM conversation_bots b WHERE b.conversation_id = c.id AND b.state = 'holding'))`;
/**
 * A callback whose window (or, after a missed call, the next try the agent set) opens after `openBy`: in no queue
 * yet (domain/callbacks/callbackOpening.ts). Needs the conversation as `c`.
 */
const callbackNotOpen = (openBy: Date) => sql`EXISTS (SELECT 1 FROM callback_requests r WHERE r.conversation_id = c.id
  AND coalesce((SELECT a.next_due_at FROM callback_attempts a WHERE a.conversation_id = r.conversation_id AND a.next_due_at IS NOT NULL
    ORDER BY a.at DESC, a.id DESC LIMIT 1), r.window_start) > ${openBy})`;
const queueOrder = sql`c.response_due_at NULLS LAST, CASE c.priority WHEN 'urgent' THEN 0 WHEN 'high' THEN 1 WHEN 'normal' THEN 2 ELSE 3 END,
  c.created_at, c.id`;

/**
 * The head of the queues of the given routing mode (optionally only some channels), in queue order, locked (chats
 * the bot holds and callbacks opening after `openBy` are not in a queue yet);
 * a conversation another transaction holds (ingest, a manual assignment) is skipped and routed next time.
 */
export async function lockQueueHead(tx: Tx, mode: 'auto' | 'pull', channelIds: string[] | null, limit: number, openBy: Date): Promise<QueuedRow[]> {
  const r = await sql<QueuedRow>`
    SELECT ${queuedColumns}
    FROM conversations c JOIN channels ch ON ch.id = c.channel_id LEFT JOIN topics t ON t.id = c.topic_id
    WHERE c.status = 'new' AND c.assignee_id IS NULL AND ch.routing_mode = ${mode}
      AND NOT ${heldByBot}
      AND NOT ${callbackNotOpen(openBy)}
      ${channelIds ? sql`AND c.channel_id = ANY(${channelIds}::uuid[])` : sql``}
    ORDER BY ${queueOrder} LIMIT ${limit}
    FOR UPDATE OF c SKIP LOCKED`.execute(tx);
  return r.rows;
}

/** Conversations by id with what routing needs, locked (reopened ones the router re-checks). */
export async function lockConversationsForRouting(tx: Tx, ids: string[]): Promise<(QueuedRow & { status: string; assigneeId: string | null })[]> {
  if (ids.length === 0) return [];
  const r = await sql<QueuedRow & { status: string; assigneeId: string | null }>`
    SELECT ${queuedColumns}, c.status, c.assignee_id
    FROM conversations c JOIN channels ch ON ch.id = c.channel_id LEFT JOIN topics t ON t.id = c.topic_id
    WHERE c.id = ANY(${ids}::uuid[]) ORDER BY c.id FOR UPDATE OF c`.execute(tx);
  return r.rows;
}

export type RoutedRow = { conversationId: string; agentId: string | null; reason: unknown };

/** Writes decisions: assignee, status, reason and time (agentId null: back to the queue); the agents' idle clocks restart. */
export async function writeRouting(tx: Tx, rows: RoutedRow[]): Promise<void> {
  if (rows.length === 0) return;
  const sorted = [...rows].sort((a, b) => (a.conversationId < b.conversationId ? -1 : 1));
  await sql`
    UPDATE conversations c SET assignee_id = v.agent_id, status = CASE WHEN v.agent_id IS NULL THEN 'new' ELSE 'assigned' END,
      routing_reason = v.reason, routed_at = now(), routing_opened_at = NULL, updated_at = now()
    FROM unnest(${sorted.map((r) => r.conversationId)}::uuid[], ${sorted.map((r) => r.agentId)}::uuid[], ${sorted.map((r) => JSON.stringify(r.reason))}::jsonb[])
      AS v(id, agent_id, reason)
    WHERE c.id = v.id`.execute(tx);
  const agents = [...new Set(rows.flatMap((r) => (r.agentId ? [r.agentId] : [])))].sort();
  if (agents.length) await sql`UPDATE agent_profiles SET idle_since = now() WHERE user_id = ANY(${agents}::uuid[])`.execute(tx);
}

export function lockChannelRouting(tx: Tx, channelId: string) {
  return tx.selectFrom('channels').select(['id', 'routingMode', 'routingTeamId']).where('id', '=', channelId).forUpdate().executeTakeFirst();
}

export async function setChannelRoutingMode(tx: Tx, channelId: string, mode: 'manual' | 'auto' | 'pull', teamId: string | null) {
  await tx.updateTable('channels').set({ routingMode: mode, routingTeamId: teamId }).where('id', '=', channelId).execute();
}

/** Conversations the router gave to an agent who has not opened them since `before`, in automatic queues, locked. */
export async function lockUnopened(tx: Tx, before: Date): Promise<(QueuedRow & { assigneeId: string })[]> {
  const r = await sql<QueuedRow & { assigneeId: string }>`
    SELECT ${queuedColumns}, c.assignee_id
    FROM conversations c JOIN channels ch ON ch.id = c.channel_id LEFT JOIN topics t ON t.id = c.topic_id
    WHERE c.status = 'assigned' AND ch.routing_mode = 'auto' AND c.routed_at < ${before} AND c.routing_opened_at IS NULL
      AND c.routing_reason->>'rule' IN ('least_loaded', 'last_agent', 'not_opened')
    ORDER BY ${queueOrder} LIMIT 500
    FOR UPDATE OF c SKIP LOCKED`.execute(tx);
  return r.rows;
}

/** The assignee opened a conversation the router gave them (the offer to the next agent is off). */
export async function markOpened(db: DbOrTx, conversationId: string, userId: string): Promise<void> {
  await db
    .updateTable('conversations')
    .set({ routingOpenedAt: new Date() })
    .where('id', '=', conversationId)
    .where('assigneeId', '=', userId)
    .where('routedAt', 'is not', null)
    .where('routingOpenedAt', 'is', null)
    .execute();
}

// ---- the queue board --------------------------------------------------------------------------

/**
 * Per channel: its routing, the waiting count and oldest wait, routed in the last hour, and the due times within
 * `horizon` (callbacks opening after `openBy` are scheduled, not waiting).
 */
export async function queueBoardRows(db: DbOrTx, now: Date, horizon: Date, openBy: Date) {
  const channels = await sql<{
    id: string;
    name: string;
    kind: ChannelKind;
    routingMode: 'manual' | 'auto' | 'pull';
    teamId: string | null;
    teamName: string | null;
    waiting: number;
    oldestSince: Date | null;
    routedLastHour: number;
  }>`
    SELECT ch.id, ch.name, ch.kind, ch.routing_mode, ch.routing_team_id AS team_id, tm.name AS team_name,
      coalesce(w.waiting, 0)::int AS waiting, w.oldest_since, coalesce(r.routed, 0)::int AS routed_last_hour
    FROM channels ch LEFT JOIN teams tm ON tm.id = ch.routing_team_id
    LEFT JOIN (SELECT channel_id, count(*) AS waiting, min(created_at) AS oldest_since FROM conversations c
      WHERE status = 'new' AND assignee_id IS NULL AND NOT ${heldByBot} AND NOT ${callbackNotOpen(openBy)} GROUP BY channel_id) w ON w.channel_id = ch.id
    LEFT JOIN (SELECT channel_id, count(*) AS routed FROM conversations
      WHERE routed_at >= ${new Date(now.getTime() - 3_600_000)} AND assignee_id IS NOT NULL GROUP BY channel_id) r ON r.channel_id = ch.id
    ORDER BY ch.name`.execute(db);
  const dues = await sql<{ channelId: string; dueAt: Date }>`
    SELECT channel_id, response_due_at AS due_at
    FROM conversations c WHERE status = 'new' AND assignee_id IS NULL AND response_due_at <= ${horizon} AND NOT ${heldByBot}
      AND NOT ${callbackNotOpen(openBy)}
    ORDER BY channel_id, response_due_at`.execute(db);
  return { channels: channels.rows, dues: dues.rows };
}

/** Every active agent's availability, absence and slots (for the board's counts per queue). */
export async function boardAgents(db: DbOrTx): Promise<AgentRow[]> {
  const r = await sql<AgentRow>`
    SELECT u.id, coalesce(p.availability, 'offline') AS availability, coalesce(p.skills, '{}') AS skills, coalesce(p.capacity, '{}') AS capacity,
      coalesce(p.idle_since, now()) AS idle_since,
      EXISTS (SELECT 1 FROM absences a WHERE a.user_id = u.id AND a.cancelled_at IS NULL AND a.starts_at <= now() AND a.ends_at > now()) AS absent,
      coalesce((SELECT array_agg(tm.team_id) FROM team_members tm WHERE tm.user_id = u.id), '{}') AS team_ids
    FROM users u LEFT JOIN agent_profiles p ON p.user_id = u.id WHERE u.role IN ('agent', 'manager') AND u.deactivated_at IS NULL
    ORDER BY u.id`.execute(db);
  return r.rows;
}

/** Channels with their routing mode and team (the routing settings page). */
export function listChannelRouting(db: DbOrTx) {
  return db.selectFrom('channels').select(['id', 'name', 'kind', 'routingMode', 'routingTeamId']).orderBy('name').execute();
}
