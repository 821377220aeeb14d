/**
 * The event streams of website visitors (GET /widget/v1/conversations/:id/events), fed by the LiveHub. One hub
 * subscription per web process serves every stream: events are matched to streams by conversation id through a
 * Map, so a thousand open streams cost a Map lookup per event, not a thousand listeners. One heartbeat timer
 * serves them all.
 *
 * Per stream, work runs one step after the other (a promise chain), so two events in quick succession never
 * send the same message twice. Messages carry their id: a reconnecting EventSource sends it back as
 * Last-Event-ID and the stream continues after it in delivery order (nothing lost, nothing repeated). Queue
 * positions are recomputed per site, at most every QUEUE_DEBOUNCE_MS, when routing or a chat of the site changed.
 *
 * A stream is registered and its close handler attached in one synchronous step, after checking that the client
 * is still there: one that left during the route's lookups (token, site, limits) has already emitted 'close', so
 * registering it would leave it in the Map for ever.
 */
import type { Response } from 'express';
import type { Db } from '../db/client';
import { findChatSite } from '../db/repositories/chatSites.repo';
import { agentMessagesAfter, findChatSession, latestAgentMessageId, type ChatSession, type VisitorMessage } from '../db/repositories/chatSessions.repo';
import { findUserById } from '../db/repositories/users.repo';
import type { LiveEvent } from '../domain/effects';
import { chatSlots } from '../domain/webchat/capacity';
import { agentNameOf } from '../domain/webchat/chatView';
import { siteQueue } from '../domain/webchat/queue';
import type { Logger } from '../logger';
import type { LiveHub } from './liveEvents';

export const HEARTBEAT_MS = 20_000;
const QUEUE_DEBOUNCE_MS = 300;
/** Open streams one chat may have on one web process (tabs of one visitor); the next one is refused. */
export const STREAMS_PER_CHAT = 5;

type Stream = {
  conversationId: string;
  siteId: string;
  res: Response;
  /** the last agent message sent (null: none yet — every delivered one is new) */
  cursor: string | null;
  waiting: boolean;
  lastQueue: string | null;
  chain: Promise<void>;
};

export type VisitorStreams = {
  /** Starts streaming to `res` (nothing, when the client has gone already); false when the chat has too many streams open. */
  open(res: Response, session: ChatSession, lastEventId: string | null): boolean;
  readonly size: number;
};

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function createVisitorStreams(deps: { db: Db; live: LiveHub; logger: Logger }): VisitorStreams {
  const { db, live, logger } = deps;
  const byConversation = new Map<string, Set<Stream>>();
  let count = 0;
  let unsubscribe: (() => void) | null = null;
  let heartbeat: NodeJS.Timeout | null = null;
  let queueScheduled = false;
  const dirtySites = new Set<string>();

  const write = (s: Stream, event: string, data: unknown, id?: string) => {
    if (!s.res.writableEnded) s.res.write(`event: ${event}\n${id ? `id: ${id}\n` : ''}data: ${JSON.stringify(data)}\n\n`);
  };
  const step = (s: Stream, work: () => Promise<void>) => {
    s.chain = s.chain.then(work).catch((err: Error) => logger.warn({ err: err.message, conversationId: s.conversationId }, 'visitor stream step failed'));
  };
  const sendMessages = (s: Stream, messages: VisitorMessage[]) => {
    for (const m of messages) {
      write(s, 'message', { id: m.id, from: m.from, text: m.text, at: m.at.toISOString(), authorName: m.authorName, bot: m.bot }, m.id);
      s.cursor = m.id;
    }
  };
  const sendNewMessages = (s: Stream) =>
    step(s, async () => {
      for (;;) {
        const batch = await agentMessagesAfter(db, s.conversationId, s.cursor ? { id: s.cursor } : { since: new Date(0) });
        sendMessages(s, batch);
        if (batch.length < 100) return;
      }
    });

  const refreshQueues = async () => {
    queueScheduled = false;
    const sites = [...dirtySites];
    dirtySites.clear();
    for (const siteId of sites) {
      const waiting = [...byConversation.values()].flatMap((set) => [...set]).filter((s) => s.siteId === siteId && s.waiting);
      if (waiting.length === 0) continue;
      const site = await findChatSite(db, siteId);
      if (!site) continue;
      const views = await siteQueue(db, siteId, await chatSlots(db, site), new Date());
      for (const s of waiting) {
        const view = views.get(s.conversationId);
        // not in the queue: accepted or ended (their own events end the waiting), or still held by the bot
        if (!view) continue;
        const shown = JSON.stringify(view);
        if (shown !== s.lastQueue) {
          s.lastQueue = shown;
          write(s, 'queue', view);
        }
      }
    }
  };
  const queueChanged = (siteIds: Iterable<string>) => {
    for (const id of siteIds) dirtySites.add(id);
    if (queueScheduled) return;
    queueScheduled = true;
    setTimeout(() => void refreshQueues().catch((err: Error) => logger.warn({ err: err.message }, 'queue positions not sent')), QUEUE_DEBOUNCE_MS);
  };
  const allSites = () => new Set([...byConversation.values()].flatMap((set) => [...set].filter((s) => s.waiting).map((s) => s.siteId)));

  const onEvent = (event: LiveEvent) => {
    if (event.type === 'routing') return queueChanged(allSites());
    if (event.type !== 'conversation' && event.type !== 'presence' && event.type !== 'chat') return;
    const streams = byConversation.get(event.conversationId);
    if (event.type === 'chat' && event.change !== 'visitor_typing' && event.change !== 'visitor_read') queueChanged(allSites());
    if (!streams) return;
    for (const s of streams) {
      if (event.type === 'conversation') {
        sendNewMessages(s);
        if (event.change === 'status' && s.waiting) queueChanged([s.siteId]);
      } else if (event.type === 'presence') {
        // an agent who only has the conversation open is not typing
        if (!event.typing) continue;
        step(s, async () => {
          const user = await findUserById(db, event.userId);
          if (user) write(s, 'typing', { from: 'agent', name: user.name });
        });
      } else if (event.change === 'accepted' || event.change === 'ended' || event.change === 'visitor_read') {
        step(s, async () => {
          const session = await findChatSession(db, s.conversationId);
          if (!session) return;
          if (event.change === 'accepted') {
            s.waiting = false;
            write(s, 'accepted', { agentName: await agentNameOf(db, session) });
          } else if (event.change === 'ended') {
            s.waiting = false;
            write(s, 'ended', { reason: session.endReason });
          } else if (session.visitorReadAt) {
            write(s, 'read', { upTo: session.visitorReadAt.toISOString() });
          }
        });
      }
    }
  };

  const start = () => {
    unsubscribe = live.subscribe(onEvent);
    heartbeat = setInterval(() => {
      for (const set of byConversation.values()) for (const s of set) if (!s.res.writableEnded) s.res.write(': heartbeat\n\n');
    }, HEARTBEAT_MS);
    heartbeat.unref();
  };
  const stopIfIdle = () => {
    if (count > 0) return;
    unsubscribe?.();
    unsubscribe = null;
    if (heartbeat) clearInterval(heartbeat);
    heartbeat = null;
  };

  return {
    get size() {
      return count;
    },
    open(res, session, lastEventId) {
      if (res.destroyed || res.writableEnded || res.req.socket.destroyed) return true;
      const set = byConversation.get(session.conversationId) ?? new Set<Stream>();
      if (set.size >= STREAMS_PER_CHAT) return false;
      const s: Stream = {
        conversationId: session.conversationId,
        siteId: session.siteId,
        res,
        cursor: null,
        waiting: !session.endedAt && !session.acceptedAt,
        lastQueue: null,
        chain: Promise.resolve(),
      };
      byConversation.set(session.conversationId, set.add(s));
      if (count++ === 0) start();
      res.on('close', () => {
        set.delete(s);
        if (set.size === 0) byConversation.delete(session.conversationId);
        count--;
        stopIfIdle();
      });
      res.writeHead(200, {
        'content-type': 'text/event-stream',
        'cache-control': 'no-cache, no-transform',
        connection: 'keep-alive',
        'x-accel-buffering': 'no',
      });
      res.write(': connected\n\n');
      step(s, async () => {
        // resume after the message the visitor saw last (an id of this chat's delivered replies), else from now on
        const resume = lastEventId && UUID.test(lastEventId) ? await agentMessagesAfter(db, s.conversationId, { id: lastEventId }) : null;
        const known = resume !== null && (resume.length > 0 || (await latestAgentMessageId(db, s.conversationId)) === lastEventId);
        if (known) {
          s.cursor = lastEventId;
          sendMessages(s, resume);
        } else {
          s.cursor = await latestAgentMessageId(db, s.conversationId);
        }
        if (session.endedAt) write(s, 'ended', { reason: session.endReason });
        else if (session.acceptedAt) write(s, 'accepted', { agentName: await agentNameOf(db, session) });
        else queueChanged([s.siteId]);
      });
      // events that came while the backlog was read are handled after it (same chain)
      sendNewMessages(s);
      return true;
    },
  };
}
