/**
 * A loopback TCP proxy standing between the app under test and the shared PostgreSQL or Redis, so a
 * test can cut the connection (as a restart or a network fault would) without stopping the server
 * that other test files and developers use. `cut()` destroys every live connection and drops every
 * new one at once (the client sees a reset, as while a server restarts); `restore()` accepts again.
 */
import net from 'node:net';

export type TcpProxy = {
  /** 127.0.0.1:<port> of the proxy; use it in place of the target's address. */
  port: number;
  /** Rewrites a URL such as postgres://u@127.0.0.1:5432/db or redis://127.0.0.1:6379 to go through the proxy. */
  url(targetUrl: string): string;
  /** Connections currently forwarded. */
  liveConnections(): number;
  /** Connections dropped because the proxy was cut. */
  dropped(): number;
  cut(): void;
  restore(): void;
  close(): Promise<void>;
};

export async function startTcpProxy(target: { host?: string; port: number }): Promise<TcpProxy> {
  const host = target.host ?? '127.0.0.1';
  const live = new Set<net.Socket>();
  let isCut = false;
  let droppedCount = 0;

  const server = net.createServer((client) => {
    if (isCut) {
      droppedCount += 1;
      client.destroy();
      return;
    }
    const upstream = net.connect({ host, port: target.port });
    live.add(client);
    live.add(upstream);
    const end = () => {
      client.destroy();
      upstream.destroy();
      live.delete(client);
      live.delete(upstream);
    };
    client.on('error', end).on('close', end);
    upstream.on('error', end).on('close', end);
    client.pipe(upstream);
    upstream.pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;

  const destroyAll = () => {
    for (const s of live) s.destroy();
    live.clear();
  };

  return {
    port,
    url(targetUrl) {
      const u = new URL(targetUrl);
      u.hostname = '127.0.0.1';
      u.port = String(port);
      return u.toString();
    },
    liveConnections: () => [...live].length / 2,
    dropped: () => droppedCount,
    cut() {
      isCut = true;
      destroyAll();
    },
    restore() {
      isCut = false;
    },
    close: () =>
      new Promise<void>((resolve) => {
        isCut = true;
        destroyAll();
        server.close(() => resolve());
      }),
  };
}
