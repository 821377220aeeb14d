/**
 * The outbound-target guard (server/net/outboundTarget.ts) on its own: which addresses are inside, the
 * allow-list, real DNS resolution of "localhost", no redirects, and a DNS answer that changes between the
 * check and the connection (rebinding) — the resolver is the only stand-in, it is the edge of the network.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createOutboundGuard, forbiddenRange, OutboundTargetRefused, parseAllowList, type Resolver } from '../../../server/net/outboundTarget';

describe('forbiddenRange', () => {
  it.each([
    ['127.0.0.1', 'loopback'],
    ['127.255.255.254', 'loopback'],
    ['10.1.2.3', 'private'],
    ['172.16.0.1', 'private'],
    ['172.31.255.255', 'private'],
    ['192.168.0.1', 'private'],
    ['169.254.169.254', 'link-local'],
    ['100.64.0.1', 'shared'],
    ['0.0.0.0', 'unspecified'],
    ['224.0.0.251', 'multicast'],
    ['255.255.255.255', 'reserved'],
    ['::1', 'loopback'],
    ['::', 'unspecified'],
    ['fe80::1', 'link-local'],
    ['fd12:3456::1', 'unique-local'],
    ['fc00::1', 'unique-local'],
    ['ff02::1', 'multicast'],
    ['::ffff:127.0.0.1', 'loopback'],
    ['::ffff:7f00:1', 'loopback'],
    ['::ffff:169.254.169.254', 'link-local'],
    ['::ffff:a9fe:a9fe', 'link-local'],
    ['::ffff:10.0.0.1', 'private'],
    ['64:ff9b::a00:1', 'private'],
    ['2002:7f00:1::1', 'loopback'],
    ['::127.0.0.1', 'loopback'],
  ])('when the address is %s, then it is refused as %s', (address, name) => {
    expect(forbiddenRange(address)).toBe(name);
  });

  it.each(['93.184.215.14', '8.8.8.8', '172.32.0.1', '100.128.0.1', '2606:4700:4700::1111', '::ffff:8.8.8.8', '2002:808:808::1'])(
    'when the address is public (%s), then it is allowed',
    (address) => {
      expect(forbiddenRange(address)).toBeNull();
    },
  );
});

describe('the allow-list', () => {
  it('when entries are host names, wildcards, addresses and CIDR ranges, then those and only those are allowed', async () => {
    const guard = createOutboundGuard({
      allow: ['mail.corp.example', '*.intra.example', '10.20.0.0/16', '[::1]'],
      resolver: async () => [{ address: '10.9.9.9', family: 4 }],
    });
    expect(await guard.refusalFor({ host: 'mail.corp.example' })).toBeNull();
    expect(await guard.refusalFor({ host: 'imap.intra.example' })).toBeNull();
    expect(await guard.refusalFor({ url: 'http://10.20.3.4/hook' })).toBeNull();
    expect(await guard.refusalFor({ url: 'http://[::1]:8080/' })).toBeNull();
    expect(await guard.refusalFor({ url: 'http://10.21.0.1/' })).toMatchObject({ code: 'address', range: 'private' });
    expect(await guard.refusalFor({ host: 'other.corp.example' })).toMatchObject({ code: 'address', address: '10.9.9.9' });
  });

  it('when an entry is neither a name, an address nor a range, then it is rejected with its text', () => {
    expect(() => parseAllowList(['10.0.0.0/33'])).toThrow('"10.0.0.0/33"');
    expect(() => parseAllowList(['http://x'])).toThrow('"http://x"');
  });
});

describe('a guard without an allow-list', () => {
  const guard = createOutboundGuard();

  it('when a URL carries credentials or another scheme, then it is refused before any lookup', async () => {
    expect(await guard.refusalFor({ url: 'https://user:secret@api.x.com/2/' })).toMatchObject({ code: 'credentials' });
    expect(await guard.refusalFor({ url: 'file:///etc/passwd' })).toMatchObject({ code: 'scheme' });
    expect(await guard.refusalFor({ url: 'gopher://127.0.0.1:6379/' })).toMatchObject({ code: 'scheme' });
  });

  it('when a URL spells a loopback address another way (hex, decimal, IPv4-mapped), then it is refused', async () => {
    for (const url of ['http://0x7f000001/', 'http://2130706433/', 'http://017700000001/', 'http://[::ffff:127.0.0.1]/', 'http://127.1/']) {
      expect({ url, refusal: await guard.refusalFor({ url }) }).toMatchObject({ url, refusal: { code: 'address', range: 'loopback' } });
    }
  });

  it('when a name resolves to loopback (localhost, through the system resolver), then it is refused after resolution, and no connection is made', async () => {
    let hits = 0;
    const server: Server = createServer((_req, res) => {
      hits += 1;
      res.end('inside');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    try {
      expect(await guard.refusalFor({ url: `http://localhost:${port}/` })).toMatchObject({
        code: 'address',
        host: 'localhost',
        address: '127.0.0.1',
        range: 'loopback',
      });
      await expect(guard.request(`http://localhost:${port}/`, { timeoutMs: 2_000 })).rejects.toBeInstanceOf(OutboundTargetRefused);
      await expect(guard.resolve('localhost')).rejects.toBeInstanceOf(OutboundTargetRefused);
      expect(hits).toBe(0);
    } finally {
      server.close();
    }
  });
});

describe('DNS rebinding and redirects', () => {
  let inside: Server;
  let hits: string[];
  let port: number;
  beforeAll(async () => {
    hits = [];
    inside = createServer((req, res) => {
      hits.push(req.url ?? '');
      if (req.url === '/redirect') res.writeHead(302, { location: `http://127.0.0.2:${port}/inside` }).end();
      else res.end('ok');
    });
    await new Promise<void>((resolve) => inside.listen(0, '0.0.0.0', resolve));
    port = (inside.address() as AddressInfo).port;
  });
  afterAll(() => {
    inside.close();
  });

  it('when a name resolves to an allowed address at the check and to an inside one at the connection, then the connection is refused', async () => {
    let calls = 0;
    const rebinding: Resolver = async () => (calls++ === 0 ? [{ address: '127.0.0.1', family: 4 }] : [{ address: '127.0.0.2', family: 4 }]);
    const guard = createOutboundGuard({ allow: ['127.0.0.1'], resolver: rebinding });
    expect(await guard.refusalFor({ url: `http://rebind.example:${port}/` })).toBeNull();
    await expect(guard.request(`http://rebind.example:${port}/`, { timeoutMs: 2_000 })).rejects.toMatchObject({
      refusal: { code: 'address', address: '127.0.0.2' },
    });
    expect(hits).toEqual([]);
  });

  it('when the remote side answers with a redirect, then it is returned as it is and not followed', async () => {
    const guard = createOutboundGuard({ allow: ['127.0.0.1'] });
    const res = await guard.request(`http://127.0.0.1:${port}/redirect`, { timeoutMs: 2_000 });
    expect(res.status).toBe(302);
    expect(hits).toEqual(['/redirect']);
  });
});
