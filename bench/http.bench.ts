/** Inbox and conversation page latency under load, and the time from an ingested post to its SSE event. */
import http from 'node:http';
import autocannon from 'autocannon';

export type LatencyFigures = { p50: number; p95: number; p99: number; requestsPerSecond: number; requests: number; errors: number };

export async function loadTest(url: string, cookie: string, connections: number, seconds: number): Promise<LatencyFigures> {
  const result = await autocannon({ url, connections, duration: seconds, headers: { cookie } });
  // autocannon reports p97.5 and p99; p95 is read from its HDR histogram percentiles when present.
  const latency = result.latency as unknown as Record<string, number>;
  return {
    p50: latency.p50!,
    p95: latency.p95 ?? latency.p97_5!,
    p99: latency.p99!,
    requestsPerSecond: result.requests.average,
    requests: result.requests.total,
    errors: result.errors + result.non2xx,
  };
}

/**
 * Opens /events as a signed-in console, then posts `count` messages to the API channel one after
 * another and measures, for each, the time from sending the POST to receiving its SSE event.
 */
export async function liveLatency(
  baseUrl: string,
  cookie: string,
  ingest: { channelId: string; token: string },
  count: number,
): Promise<{ p50: number; p95: number; max: number }> {
  // An event may arrive before the POST's answer does, so arrivals are kept until claimed.
  const arrivals = new Map<string, number>();
  const waiters = new Map<string, (at: number) => void>();
  const stream = await new Promise<http.IncomingMessage>((resolve, reject) => {
    http.get(`${baseUrl}/events`, { headers: { cookie, accept: 'text/event-stream' } }, resolve).on('error', reject);
  });
  let buffer = '';
  stream.setEncoding('utf8');
  stream.on('data', (chunk: string) => {
    buffer += chunk;
    let end: number;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const frame = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const data = /^data: (.*)$/m.exec(frame)?.[1];
      if (!frame.startsWith('event: conversation\n') || !data) continue;
      const { conversationId } = JSON.parse(data) as { conversationId: string };
      const at = performance.now();
      const waiter = waiters.get(conversationId);
      if (waiter) waiter(at);
      else if (!arrivals.has(conversationId)) arrivals.set(conversationId, at);
    }
  });
  const samples: number[] = [];
  for (let i = 0; i < count; i++) {
    const body = {
      externalId: `live-${Date.now()}-${i}`,
      author: { externalId: `live-author-${Date.now()}-${i}`, name: 'Live Bench' },
      text: 'Ist jemand da?',
      postedAt: new Date().toISOString(),
    };
    const sent = performance.now();
    const res = await fetch(`${baseUrl}/api/v1/channels/${ingest.channelId}/messages`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ingest.token}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    if (!res.ok) throw new Error(`ingest answered HTTP ${res.status}: ${await res.text()}`);
    const { conversationId } = (await res.json()) as { conversationId: string };
    const arrived =
      arrivals.get(conversationId) ??
      (await new Promise<number>((resolve) => {
        waiters.set(conversationId, resolve);
        setTimeout(() => resolve(Number.NaN), 5_000).unref();
      }));
    waiters.delete(conversationId);
    if (!Number.isNaN(arrived)) samples.push(arrived - sent);
  }
  stream.destroy();
  const sorted = samples.sort((a, b) => a - b);
  const at = (p: number) => sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)] ?? Number.NaN;
  return { p50: at(0.5), p95: at(0.95), max: sorted.at(-1) ?? Number.NaN };
}
