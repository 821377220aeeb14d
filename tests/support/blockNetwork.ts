/**
 * Tests talk to this machine only: PostgreSQL, Redis, the app on port 0 and the fake channel servers, all on
 * loopback. Every other outbound connection from a test process fails at once with a clear error, so a test
 * that would reach the internet (a forgotten base URL, a real X or Meta host) fails instead of depending on it.
 *
 * Loaded by every Jest project (jest.config.js `setupFiles`). It patches `net.Socket.prototype.connect`, which
 * http, https, tls, undici's fetch, pg and ioredis all go through, and `dns.lookup`, so a public name is not
 * even resolved. Processes a test spawns (Chromium, a worker started with tsx) are not covered.
 */
import dns from 'node:dns';
import net from 'node:net';

export const NETWORK_BLOCKED = 'ENETWORKBLOCKED';

const PATCHED = Symbol.for('replyline.tests.networkBlocked');

/** Addresses that stay on this machine: 127.0.0.0/8, ::1 (also IPv4-mapped), and the unspecified 0.0.0.0 / :: that Linux routes to loopback. */
export function isLoopbackAddress(address: string): boolean {
  const a = address.toLowerCase().replace(/^\[|\]$/g, '');
  const v4 = a.startsWith('::ffff:') ? a.slice('::ffff:'.length) : a;
  if (net.isIPv4(v4)) return v4.startsWith('127.') || v4 === '0.0.0.0';
  return a === '::1' || a === '::' || a === '0:0:0:0:0:0:0:1';
}

const isLoopbackName = (host: string) => {
  const h = host.toLowerCase().replace(/\.$/, '');
  return h === 'localhost' || h.endsWith('.localhost');
};

function blocked(what: string): NodeJS.ErrnoException {
  const err: NodeJS.ErrnoException = new Error(`Outbound network is blocked in tests: ${what} (only loopback is allowed; see tests/support/blockNetwork.ts)`);
  err.code = NETWORK_BLOCKED;
  return err;
}

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | dns.LookupAddress[], family?: number) => void;
type LookupFn = (hostname: string, options: dns.LookupOptions, callback: LookupCallback) => void;

/** A lookup for one connection: loopback names go to the given (or the system) lookup, and every answer must be loopback. */
function guardedLookup(inner: LookupFn, port: unknown): LookupFn {
  return (hostname, options, callback) => {
    inner(hostname, options, (err, address, family) => {
      if (err) return callback(err, address, family);
      const all = Array.isArray(address) ? address.map((a) => a.address) : [address];
      const outside = all.find((a) => !isLoopbackAddress(a));
      if (outside) return callback(blocked(`connect to ${hostname} (${outside}):${String(port)} refused`), address, family);
      callback(null, address, family);
    });
  };
}

/** The connect options out of any of connect's signatures; `replace` swaps in patched options. */
function connectOptions(args: unknown[]): { opts: net.NetConnectOpts | null; replace: (o: object) => void } {
  const first = args[0];
  if (Array.isArray(first)) {
    // net.connect() hands the socket its already normalised [options, callback] array.
    return {
      opts: first[0] as net.NetConnectOpts,
      replace: (o) => {
        first[0] = o;
      },
    };
  }
  if (first && typeof first === 'object')
    return {
      opts: first as net.NetConnectOpts,
      replace: (o) => {
        args[0] = o;
      },
    };
  if (typeof first === 'string') return { opts: { path: first }, replace: () => {} };
  const host = typeof args[1] === 'string' ? args[1] : undefined;
  return {
    opts: { port: Number(first), host },
    replace: (o) => {
      args.splice(0, host === undefined ? 1 : 2, o);
    },
  };
}

export function blockOutboundNetwork(): void {
  const proto = net.Socket.prototype as net.Socket & { [PATCHED]?: true };
  if (proto[PATCHED]) return;
  proto[PATCHED] = true;

  const systemLookup = dns.lookup.bind(dns) as unknown as LookupFn;
  const connect = proto.connect;
  proto.connect = function (this: net.Socket, ...args: unknown[]) {
    const { opts, replace } = connectOptions(args);
    if (opts && !('path' in opts && opts.path)) {
      const tcp = opts as net.TcpNetConnectOpts;
      const host = tcp.host ?? 'localhost';
      if (net.isIP(host.replace(/^\[|\]$/g, ''))) {
        if (!isLoopbackAddress(host)) {
          const err = blocked(`connect to ${host}:${String(tcp.port)} refused`);
          process.nextTick(() => this.destroy(err));
          return this;
        }
      } else if (tcp.lookup || isLoopbackName(host)) {
        // A caller's own lookup (a fake resolver in an SSRF test) still runs; its answer must be loopback.
        const inner = (tcp.lookup as LookupFn | undefined) ?? systemLookup;
        replace({ ...tcp, lookup: guardedLookup(inner, tcp.port) });
      } else {
        const err = blocked(`connect to ${host}:${String(tcp.port)} refused, the name is not even looked up`);
        process.nextTick(() => this.destroy(err));
        return this;
      }
    }
    return (connect as (...a: unknown[]) => net.Socket).apply(this, args);
  } as typeof proto.connect;

  // Code that resolves names itself (an SSRF check, a client library) gets a fast, clear ENOTFOUND for any name
  // but localhost instead of a query to the outside resolver. IP literals resolve to themselves as usual.
  const lookup = dns.lookup;
  const guardName = (hostname: string) => !hostname || net.isIP(hostname) || isLoopbackName(hostname);
  const refuseName = (hostname: string) => Object.assign(blocked(`DNS lookup of ${hostname} refused`), { hostname });
  dns.lookup = ((hostname: string, ...rest: unknown[]) => {
    if (!guardName(hostname)) {
      const callback = rest[rest.length - 1] as (err: Error) => void;
      process.nextTick(() => callback(refuseName(hostname)));
      return;
    }
    return (lookup as (...a: unknown[]) => void).call(dns, hostname, ...rest);
  }) as typeof dns.lookup;
  const promisesLookup = dns.promises.lookup;
  dns.promises.lookup = (async (hostname: string, options?: unknown) => {
    if (!guardName(hostname)) throw refuseName(hostname);
    return (promisesLookup as (h: string, o?: unknown) => Promise<unknown>).call(dns.promises, hostname, options);
  }) as typeof dns.promises.lookup;
}

blockOutboundNetwork();
