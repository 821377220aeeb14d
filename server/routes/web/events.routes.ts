/** GET /events — Server-Sent Events for open consoles, fed by the Redis-backed live hub. */
import { Router } from 'express';
import { touchConsole } from '../../db/repositories/agentProfiles.repo';
import { sessionExists } from '../../db/repositories/sessions.repo';
import { can } from '../../domain/auth/permissions';
import { activeUser } from '../../middleware/auth';
import { chatRingingToastHtml, visitorTypingHtml } from '../../presenters/chat.presenter';
import { slaToastHtml } from '../../presenters/sla.presenter';
import type { Services } from '../../services';

const HEARTBEAT_MS = 25_000;
/** Open live streams one user may hold on one web process (tabs, windows); the next one answers 429. */
export const LIVE_STREAMS_PER_USER = 10;

/** Whether the stream's session still exists and its person is still active (true when it cannot be told now). */
async function mayStillListen(db: Services['db'], sid: string, userId: string): Promise<boolean> {
  try {
    return !!(await activeUser(db, userId)) && (await sessionExists(db, sid));
  } catch {
    return true;
  }
}

export function eventRoutes({ live, db }: Services): Router {
  const router = Router();
  const openStreams = new Map<string, number>();
  router.get('/events', (req, res) => {
    const userId = req.user!.id;
    const open = openStreams.get(userId) ?? 0;
    if (open >= LIVE_STREAMS_PER_USER) {
      res
        .status(429)
        .set('Retry-After', '30')
        .type('text/plain')
        .send(res.locals.t('live.tooMany', { max: LIVE_STREAMS_PER_USER }));
      return;
    }
    openStreams.set(userId, open + 1);
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache, no-transform', connection: 'keep-alive', 'x-accel-buffering': 'no' });
    res.write(': connected\n\n');
    const seesAllSlaWarnings = req.user ? can(req.user.role, 'settings.manage') : false;
    const unsubscribe = live.subscribe((event) => {
      // The person's access changed (deactivated, signed out elsewhere, a new role): a stream they may no longer
      // have ends; the browser connects again and is asked afresh.
      if (event.type === 'access') {
        if (event.userId === userId) void mayStillListen(db, req.sessionID, userId).then((may) => may || res.end());
        return;
      }
      const data = JSON.stringify(event);
      // Presence goes only to the conversation's page, a notification only to its user's bell.
      if (event.type === 'presence') return void res.write(`event: presence-${event.conversationId}\ndata: ${data}\n\n`);
      if (event.type === 'notification') return void res.write(`event: notify-${event.userId}\ndata: ${data}\n\n`);
      // An SLA warning or breach pops up as a toast on every page of the managers and of the assigned agent (HTML,
      // swapped in by the SSE extension); lists and the conversation's header refresh on their own event.
      if (event.type === 'sla') {
        if (seesAllSlaWarnings || (event.assigneeId && event.assigneeId === userId)) {
          res.write(`event: sla-warning\ndata: ${slaToastHtml(event, res.locals.t, res.locals.fmtTime)}\n\n`);
        }
        return;
      }
      // A website chat routing gave this user rings on every page of theirs (a toast beside the SLA ones).
      if (event.type === 'chat_ringing') {
        if (event.assigneeId === userId) res.write(`event: chat-ringing\ndata: ${chatRingingToastHtml(event, res.locals.t)}\n\n`);
        return;
      }
      // A chat's own changes reach its open page only: the visitor typing (HTML), their read state (the thread),
      // accepted or ended (the chat facts; an acceptance also the header's banner).
      if (event.type === 'chat') {
        const id = event.conversationId;
        if (event.change === 'visitor_typing') return void res.write(`event: chat-typing-${id}\ndata: ${visitorTypingHtml(res.locals.t)}\n\n`);
        if (event.change === 'visitor_read') return void res.write(`event: chat-read-${id}\ndata: {}\n\n`);
        res.write(`event: chat-${id}\ndata: {}\n\n`);
        if (event.change === 'accepted') res.write(`event: conv-${id}\ndata: {}\n\n`);
        return;
      }
      // Queues or availability changed: the queue board and presence indicators refresh.
      if (event.type === 'routing') return void res.write(`event: routing\ndata: {}\n\n`);
      // A reply began or stopped waiting for approval: the approvers' count in the navigation refreshes.
      if (event.type === 'approvals') return void res.write(`event: approvals\ndata: {}\n\n`);
      // One generic event for lists, one per conversation for its open page.
      res.write(`event: conversation\ndata: ${data}\n\nevent: conv-${event.conversationId}\ndata: ${data}\n\n`);
    });
    // An open console tab keeps its agent from going offline (domain/routing/sweepRouting.ts): a sign of life now and with every heartbeat.
    const alive = () => void touchConsole(db, userId).catch(() => undefined);
    alive();
    const heartbeat = setInterval(() => {
      res.write(': heartbeat\n\n');
      alive();
    }, HEARTBEAT_MS);
    res.on('close', () => {
      clearInterval(heartbeat);
      unsubscribe();
      const left = (openStreams.get(userId) ?? 1) - 1;
      if (left > 0) openStreams.set(userId, left);
      else openStreams.delete(userId);
    });
  });
  return router;
}
