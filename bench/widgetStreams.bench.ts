/**
 * Website chat visitors held by one web process: STREAMS chats, each with its visitor's event stream open
 * (GET /widget/v1/conversations/:id/events, as the widget opens it), then agent replies through the API
 * (POST /api/v1/conversations/:id/replies → the worker delivers → the visitor's stream) timed from the POST to
 * the message on that visitor's stream, and what the open streams cost the web process in memory (RSS before
 * and after opening them). The visitors connect from many loopback addresses (127.0.0.2…), as real visitors
 * come from many addresses, so the per-address widget limit applies as it would in production.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import { hashToken } from '../server/crypto/tokens';
import type { Services } from '../server/services';

const STREAMS = Number(process.env.BENCH_WIDGET_STREAMS ?? 1000);
const REPLIES = Number(process.env.BENCH_WIDGET_REPLIES ?? 200);
const ADDRESSES = 200;

function rssMbOf(pid: number): number {
  return Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024;
}

/** STREAMS waiting chats of one site, assigned to the agent, each with its visitor token. */
async function seedChats(services: Services, agentId: string) {
  const { db } = services;
  return db.transaction().execute(async (tx) => {
    const channel = await tx
      .insertInto('channels')
      .values({ kind: 'webchat', name: `Bench website ${process.pid}`, settings: '{}' })
      .returning('id')
      .executeTakeFirstOrThrow();
    const site = await tx
      .insertInto('chatSites')
      .values({ channelId: channel.id, name: 'Bench shop', texts: '{}', invitationRules: '[]' })
      .returning('id')
      .executeTakeFirstOrThrow();
    const contacts = await tx
      .insertInto('contacts')
      .values(Array.from({ length: STREAMS }, (_, i) => ({ name: `Besucher ${i + 1}` })))
      .returning('id')
      .execute();
    const now = new Date();
    const conversations = await tx
      .insertInto('conversations')
      .values(contacts.map((c) => ({ channelId: channel.id, contactId: c.id, status: 'assigned' as const, assigneeId: agentId, lastMessageAt: now })))
      .returning('id')
      .execute();
    const chats = conversations.map((c, i) => ({
      conversationId: c.id,
      token: randomBytes(24).toString('base64url'),
      address: `127.0.0.${2 + (i % ADDRESSES)}`,
    }));
    await tx
      .insertInto('chatSessions')
      .values(
        chats.map((c, i) => ({
          conversationId: c.conversationId,
          siteId: site.id,
          visitorTokenHash: hashToken(c.token),
          visitorId: `bench-visitor-${i}`,
          acceptedAt: now,
          acceptedBy: agentId,
        })),
      )
      .execute();
    return chats;
  });
}

type Stream = { close(): void };

/** Opens one visitor stream; calls onMessage(conversationId, at) for every agent message event on it. */
function openStream(baseUrl: string, chat: { conversationId: string; token: string; address: string }, onMessage: (at: number) => void): Promise<Stream> {
  return new Promise((resolve, reject) => {
    const req = http.get(
      `${baseUrl}/widget/v1/conversations/${chat.conversationId}/events?token=${chat.token}`,
      { localAddress: chat.address, headers: { accept: 'text/event-stream' }, agent: false },
      (res) => {
        if (res.statusCode !== 200) return reject(new Error(`stream answered ${res.statusCode}`));
        let buffer = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          buffer += chunk;
          let end: number;
          while ((end = buffer.indexOf('\n\n')) >= 0) {
            const frame = buffer.slice(0, end);
            buffer = buffer.slice(end + 2);
            if (/^event: message$/m.test(frame) && /"from":"agent"/.test(frame)) onMessage(performance.now());
          }
        });
        resolve({ close: () => req.destroy() });
      },
    );
    req.on('error', reject);
  });
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

export async function benchWidgetStreams(services: Services, baseUrl: string, webPid: number, agent: { id: string; token: string }) {
  const chats = await seedChats(services, agent.id);
  const rssBefore = rssMbOf(webPid);
  const waiting = new Map<string, (at: number) => void>();
  const streams: Stream[] = [];
  try {
    // opened 50 at a time, so the bench measures holding them, not a connection storm
    for (let i = 0; i < chats.length; i += 50) {
      const batch = chats.slice(i, i + 50);
      streams.push(...(await Promise.all(batch.map((c) => openStream(baseUrl, c, (at) => waiting.get(c.conversationId)?.(at))))));
    }
    await new Promise((r) => setTimeout(r, 1000));
    const rssAfter = rssMbOf(webPid);
    const samples: number[] = [];
    let lost = 0;
    for (let i = 0; i < REPLIES; i++) {
      const chat = chats[(i * 7919) % chats.length]!;
      const arrived = new Promise<number | null>((resolve) => {
        waiting.set(chat.conversationId, resolve);
        setTimeout(() => resolve(null), 10_000).unref();
      });
      const sent = performance.now();
      const res = await fetch(`${baseUrl}/api/v1/conversations/${chat.conversationId}/replies`, {
        method: 'POST',
        headers: { authorization: `Bearer ${agent.token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ text: `Antwort ${i}: Wir kümmern uns sofort darum.` }),
      });
      if (res.status !== 202) throw new Error(`reply answered ${res.status}: ${await res.text()}`);
      const at = await arrived;
      waiting.delete(chat.conversationId);
      if (at === null) lost++;
      else samples.push(at - sent);
    }
    samples.sort((a, b) => a - b);
    return {
      streams: streams.length,
      replies: REPLIES,
      lost,
      p50: percentile(samples, 50),
      p95: percentile(samples, 95),
      rssBeforeMb: rssBefore,
      rssAfterMb: rssAfter,
      kbPerStream: ((rssAfter - rssBefore) * 1024) / streams.length,
    };
  } finally {
    for (const s of streams) s.close();
  }
}
