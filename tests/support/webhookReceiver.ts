/** A local webhook receiver on 127.0.0.1 standing in for an API channel's endpoint. */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export type ReceivedHook = { headers: IncomingHttpHeaders; body: string; json: Record<string, unknown> };

export type WebhookReceiver = {
  url: string;
  received: ReceivedHook[];
  /** Status codes to answer with, in order, before answering 200 for good. */
  failNext(...statuses: number[]): void;
  /** Requests read in full but never answered (see holdNext); the sender waits until it times out or dies. */
  held: ReceivedHook[];
  /** The next `count` requests are read and then held open without an answer. */
  holdNext(count?: number): void;
  waitFor(count: number, timeoutMs?: number): Promise<ReceivedHook[]>;
  close(): Promise<void>;
};

export async function startWebhookReceiver(): Promise<WebhookReceiver> {
  const received: ReceivedHook[] = [];
  const failures: number[] = [];
  const held: ReceivedHook[] = [];
  let toHold = 0;
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      if (toHold > 0) {
        toHold -= 1;
        held.push({ headers: req.headers, body, json: JSON.parse(body) as Record<string, unknown> });
        return;
      }
      const status = failures.shift();
      if (status) {
        res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify({ error: `simulated ${status}` }));
        return;
      }
      received.push({ headers: req.headers, body, json: JSON.parse(body) as Record<string, unknown> });
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ id: `hook-${received.length}` }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hook`,
    received,
    failNext: (...statuses) => failures.push(...statuses),
    held,
    holdNext: (count = 1) => { toHold += count; },
    async waitFor(count, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      while (received.length < count) {
        if (Date.now() > deadline) throw new Error(`expected ${count} webhook calls, got ${received.length}`);
        await new Promise((r) => setTimeout(r, 50));
      }
      return received;
    },
    close: () => new Promise((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}
