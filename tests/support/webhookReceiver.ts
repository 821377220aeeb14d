/** A local webhook receiver on 127.0.0.1 standing in for an API channel's endpoint. */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** at: when the request was read in full (Date.now()). */
export type ReceivedHook = { headers: IncomingHttpHeaders; body: string; json: Record<string, unknown>; at: number };

/** A scripted answer: a status code (with a small JSON error body), or exactly this status, headers and raw body. */
export type ScriptedAnswer = number | { status: number; headers?: Record<string, string>; body?: string };

export type WebhookReceiver = {
  url: string;
  received: ReceivedHook[];
  /** Requests answered with a scripted status outside 2xx. */
  refused: ReceivedHook[];
  /** Answers to give, in order, before answering 200 for good (a 2xx one counts as received). */
  failNext(...answers: ScriptedAnswer[]): void;
  /** Requests read in full but never answered (see holdNext); the sender waits until it times out or dies. */
  held: ReceivedHook[];
  /** The next `count` requests are read and then held open without an answer. */
  holdNext(count?: number): void;
  waitFor(count: number, timeoutMs?: number): Promise<ReceivedHook[]>;
  close(): Promise<void>;
};

export async function startWebhookReceiver(): Promise<WebhookReceiver> {
  const received: ReceivedHook[] = [];
  const refused: ReceivedHook[] = [];
  const failures: ScriptedAnswer[] = [];
  const held: ReceivedHook[] = [];
  let toHold = 0;
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      const hook = { headers: req.headers, body, json: JSON.parse(body) as Record<string, unknown>, at: Date.now() };
      if (toHold > 0) {
        toHold -= 1;
        held.push(hook);
        return;
      }
      const scripted = failures.shift();
      if (typeof scripted === 'number') {
        refused.push(hook);
        res.writeHead(scripted, { 'content-type': 'application/json' }).end(JSON.stringify({ error: `simulated ${scripted}` }));
        return;
      }
      if (scripted) {
        (scripted.status >= 200 && scripted.status < 300 ? received : refused).push(hook);
        res.writeHead(scripted.status, scripted.headers).end(scripted.body ?? '');
        return;
      }
      received.push(hook);
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ id: `hook-${received.length}` }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hook`,
    received,
    refused,
    failNext: (...answers) => failures.push(...answers),
    held,
    holdNext: (count = 1) => {
      toHold += count;
    },
    async waitFor(count, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      while (received.length < count) {
        if (Date.now() > deadline) throw new Error(`expected ${count} webhook calls, got ${received.length}`);
        await new Promise((r) => setTimeout(r, 50));
      }
      return received;
    },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
