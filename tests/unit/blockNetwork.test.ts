/** Tests reach loopback only (tests/support/blockNetwork.ts, loaded for every Jest project). */
import dns from 'node:dns';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import net from 'node:net';
import { isLoopbackAddress, NETWORK_BLOCKED } from '../support/blockNetwork';

const httpGet = (url: string) =>
  new Promise<number>((resolve, reject) => {
    http
      .get(url, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      })
      .on('error', reject);
  });

describe('outbound network in tests', () => {
  it('when a test fetches a public address, then it fails at once with a clear error', async () => {
    const started = Date.now();
    const err = await fetch('http://93.184.216.34/').then(
      () => null,
      (e: Error & { cause?: NodeJS.ErrnoException }) => e.cause,
    );
    expect(err?.code).toBe(NETWORK_BLOCKED);
    expect(err?.message).toMatch(/Outbound network is blocked in tests: connect to 93\.184\.216\.34:80 refused/);
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('when a test uses a public host name, then the name is not resolved and the request fails', async () => {
    await expect(httpGet('http://api.x.com/2/users/me')).rejects.toMatchObject({ code: NETWORK_BLOCKED, message: expect.stringContaining('api.x.com') });
    await expect(dns.promises.lookup('graph.facebook.com')).rejects.toMatchObject({ code: NETWORK_BLOCKED });
    const viaCallback = await new Promise<NodeJS.ErrnoException | null>((resolve) => dns.lookup('example.com', (e) => resolve(e)));
    expect(viaCallback?.code).toBe(NETWORK_BLOCKED);
  });

  it('when a raw socket or an IPv6 address is tried, then it is refused too', async () => {
    const socketError = await new Promise<NodeJS.ErrnoException>((resolve) => net.connect(53, '1.1.1.1').on('error', resolve));
    expect(socketError.code).toBe(NETWORK_BLOCKED);
    await expect(httpGet('http://[2606:4700:4700::1111]/')).rejects.toMatchObject({ code: NETWORK_BLOCKED });
  });

  it('when a custom resolver answers with a private address, then the connection is refused', async () => {
    const lookup = ((_host: string, _opts: unknown, cb: (e: null, a: string, f: number) => void) => cb(null, '10.0.0.7', 4)) as unknown as net.LookupFunction;
    const err = await new Promise<NodeJS.ErrnoException>((resolve) => net.connect({ host: 'intranet.example', port: 80, lookup }).on('error', resolve));
    expect(err.code).toBe(NETWORK_BLOCKED);
    expect(err.message).toContain('10.0.0.7');
  });

  it('when a test talks to a server on loopback (by address or as localhost), then it works', async () => {
    const server = http.createServer((_req, res) => res.end('ok'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    try {
      expect(await httpGet(`http://127.0.0.1:${port}/`)).toBe(200);
      expect(await httpGet(`http://localhost:${port}/`)).toBe(200);
      expect(await (await fetch(`http://127.0.0.1:${port}/`)).text()).toBe('ok');
    } finally {
      server.close();
    }
  });

  it('when an address is checked, then only this machine counts as loopback', () => {
    expect(['127.0.0.1', '127.8.9.1', '::1', '[::1]', '::ffff:127.0.0.1', '0.0.0.0', '::'].filter((a) => !isLoopbackAddress(a))).toEqual([]);
    expect(['10.0.0.1', '192.168.1.1', '169.254.169.254', '8.8.8.8', '::ffff:8.8.8.8', '2001:db8::1', 'fe80::1'].filter(isLoopbackAddress)).toEqual([]);
  });
});
