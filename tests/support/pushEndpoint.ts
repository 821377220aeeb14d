/**
 * A local stand-in for a browser's push service on 127.0.0.1: it keeps each request and answers 201 only
 * when the request has the shape RFC 8030/8291/8292 ask for (aes128gcm body whose header carries the
 * sender's 65-byte public key, a VAPID Authorization with a JWT for this origin, a TTL); else 400.
 */
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

export type PushRequest = { path: string; headers: IncomingHttpHeaders; body: Buffer; problems: string[] };

export async function startPushEndpoint() {
  const received: PushRequest[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const h = req.headers;
      const problems: string[] = [];
      if (req.method !== 'POST') problems.push('method');
      if (h['content-encoding'] !== 'aes128gcm') problems.push('content-encoding');
      if (!/^\d+$/.test(String(h.ttl ?? ''))) problems.push('ttl');
      const auth = /^vapid t=([\w-]+\.[\w-]+\.[\w-]+), k=([\w-]+)$/.exec(String(h.authorization ?? ''));
      if (!auth) problems.push('authorization');
      else {
        const claims = JSON.parse(Buffer.from(auth[1]!.split('.')[1]!, 'base64url').toString('utf8'));
        if (claims.aud !== `http://127.0.0.1:${(server.address() as AddressInfo).port}`) problems.push('aud');
        if (!(claims.exp > Date.now() / 1000)) problems.push('exp');
      }
      // aes128gcm header: salt(16) rs(4) idlen(1) keyid(idlen = 65, the sender's uncompressed P-256 key), then the ciphertext
      if (body.length < 21 + 65 + 17 || body[20] !== 65 || body[21] !== 0x04) problems.push('aes128gcm header');
      received.push({ path: req.url ?? '', headers: h, body, problems });
      res.writeHead(problems.length ? 400 : 201).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, received, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}
