/** GET /events — Server-Sent Events for open consoles, fed by the Redis-backed live hub. */
import { Router } from 'express';
import type { Services } from '../../services';

const HEARTBEAT_MS = 25_000;

export function eventRoutes({ live }: Services): Router {
  const router = Router();
  router.get('/events', (req, res) => {
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache, no-transform', connection: 'keep-alive', 'x-accel-buffering': 'no' });
    res.write(': connected\n\n');
    const unsubscribe = live.subscribe((event) => {
      const data = JSON.stringify(event);
      // One generic event for lists, one per conversation for its open page.
      res.write(`event: conversation\ndata: ${data}\n\nevent: conv-${event.conversationId}\ndata: ${data}\n\n`);
    });
    const heartbeat = setInterval(() => res.write(': heartbeat\n\n'), HEARTBEAT_MS);
    req.on('close', () => {
      clearInterval(heartbeat);
      unsubscribe();
    });
  });
  return router;
}
