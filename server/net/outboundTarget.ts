/**
 * The one guard for every connection a connector opens to a channel's remote side (issue 13, point 3).
 *
 * A manager types the URLs and hosts (X/Telegram/WhatsApp base URLs, API-channel webhooks, IMAP/SMTP
 * hosts), and the connectors send bearer tokens and passwords there — so a target must not be inside:
 * loopback, private, shared (CGNAT), link-local (cloud metadata at 169.254.169.254), unique-local,
 * unspecified, multicast, reserved or documentation ranges, nor an IPv6 address that embeds one of those
 * IPv4 addresses (IPv4-mapped ::ffff:a.b.c.d, IPv4-compatible, NAT64 64:ff9b::/96, 6to4 2002::/16).
 *
 * - The address is checked AFTER DNS resolution, and the address checked is the one connected to:
 *   HTTP goes through agents whose `lookup` refuses a forbidden answer, SMTP and IMAP get the checked
 *   address as their host (TLS still verifies the name). A DNS answer that changes between the check
 *   and the connection (rebinding) therefore cannot slip through.
 * - Redirects are never followed (node:http does not; `fetch` would).
 * - URLs with credentials and schemes other than http(s) are refused.
 *
 * On-premises installations allow their own servers explicitly with OUTBOUND_ALLOWED_HOSTS (host names,
 * IP addresses or CIDR ranges; read by server/config.ts, applied at boot with configureOutboundTargets).
 * Nothing is allowed by default.
 */
import dns from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import net, { type LookupFunction } from 'node:net';
import { Permanent } from '../../connectors/types';

export type RangeName =
  | 'loopback'
  | 'private'
  | 'shared'
  | 'link-local'
  | 'unique-local'
  | 'site-local'
  | 'unspecified'
  | 'multicast'
  | 'reserved'
  | 'documentation'
  | 'benchmarking'
  | 'discard';

export type Refusal =
  | { code: 'address'; host: string; address: string; range: RangeName }
  | { code: 'credentials'; host: string }
  | { code: 'scheme'; host: string; scheme: string }
  | { code: 'invalid'; host: string };

export function describeRefusal(r: Refusal): string {
  switch (r.code) {
    case 'address':
      return `Refused to connect to ${r.host}${r.address !== r.host ? ` (${r.address})` : ''}: a ${r.range} address is not allowed as a target (OUTBOUND_ALLOWED_HOSTS can allow it)`;
    case 'credentials':
      return `Refused to connect to ${r.host}: URLs with credentials are not allowed`;
    case 'scheme':
      return `Refused to connect to ${r.host}: only http:// and https:// are allowed, not ${r.scheme}`;
    default:
      return `Refused to connect to ${r.host}: not a valid URL`;
  }
}

/** A target the guard refused: permanent, retrying will not change it. */
export class OutboundTargetRefused extends Permanent {
  constructor(readonly refusal: Refusal) {
    super(describeRefusal(refusal));
  }
}

/** A 3xx from the remote side: not followed (it could point inside), and not a success either. */
export function redirectNotFollowed(status: number, location: string | null | undefined): Permanent {
  return new Permanent(`HTTP ${status}: the answer is a redirect${location ? ` to ${location.slice(0, 200)}` : ''}, which is not followed`);
}

// ---- addresses ---------------------------------------------------------------------------------

type Cidr = { family: 4 | 6; bits: bigint; prefix: number };

function v4ToBigint(a: string): bigint | null {
  const parts = a.split('.');
  if (parts.length !== 4) return null;
  let n = 0n;
  for (const p of parts) {
    if (!/^\d{1,3}$/.test(p) || Number(p) > 255) return null;
    n = (n << 8n) | BigInt(p);
  }
  return n;
}

function v6ToBigint(a: string): bigint | null {
  let s = a.toLowerCase();
  const zone = s.indexOf('%');
  if (zone >= 0) s = s.slice(0, zone);
  // A trailing dotted quad (::ffff:127.0.0.1) becomes two hex words.
  const quad = /(\d{1,3}(?:\.\d{1,3}){3})$/.exec(s);
  if (quad) {
    const v4 = v4ToBigint(quad[1]!);
    if (v4 === null) return null;
    s = `${s.slice(0, quad.index)}${(v4 >> 16n).toString(16)}:${(v4 & 0xffffn).toString(16)}`;
  }
  const halves = s.split('::');
  if (halves.length > 2) return null;
  const words = (h: string) => (h ? h.split(':') : []);
  const head = words(halves[0]!);
  const tail = halves.length === 2 ? words(halves[1]!) : [];
  const missing = 8 - head.length - tail.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return null;
  const all = [...head, ...Array<string>(halves.length === 2 ? missing : 0).fill('0'), ...tail];
  let n = 0n;
  for (const w of all) {
    if (!/^[0-9a-f]{1,4}$/.test(w)) return null;
    n = (n << 16n) | BigInt(parseInt(w, 16));
  }
  return n;
}

function parseAddress(a: string): { family: 4 | 6; bits: bigint } | null {
  const family = net.isIP(a.replace(/%.*$/, ''));
  if (family === 4) {
    const bits = v4ToBigint(a);
    return bits === null ? null : { family: 4, bits };
  }
  if (family === 6) {
    const bits = v6ToBigint(a);
    return bits === null ? null : { family: 6, bits };
  }
  return null;
}

function parseCidr(text: string): Cidr | null {
  const [addr, len, ...rest] = text.trim().split('/');
  if (rest.length || !addr) return null;
  const parsed = parseAddress(addr);
  if (!parsed) return null;
  const max = parsed.family === 4 ? 32 : 128;
  const prefix = len === undefined ? max : /^\d{1,3}$/.test(len) ? Number(len) : NaN;
  if (!(prefix >= 0 && prefix <= max)) return null;
  return { family: parsed.family, bits: parsed.bits, prefix };
}

function inCidr(addr: { family: 4 | 6; bits: bigint }, c: Cidr): boolean {
  if (addr.family !== c.family) return false;
  const width = BigInt(c.family === 4 ? 32 : 128);
  const shift = width - BigInt(c.prefix);
  return addr.bits >> shift === c.bits >> shift;
}

const range = (cidr: string, name: RangeName) => ({ cidr: parseCidr(cidr)!, name });
const V4_RANGES = [
  range('0.0.0.0/8', 'unspecified'),
  range('10.0.0.0/8', 'private'),
  range('100.64.0.0/10', 'shared'),
  range('127.0.0.0/8', 'loopback'),
  range('169.254.0.0/16', 'link-local'),
  range('172.16.0.0/12', 'private'),
  range('192.0.0.0/24', 'reserved'),
  range('192.0.2.0/24', 'documentation'),
  range('192.88.99.0/24', 'reserved'),
  range('192.168.0.0/16', 'private'),
  range('198.18.0.0/15', 'benchmarking'),
  range('198.51.100.0/24', 'documentation'),
  range('203.0.113.0/24', 'documentation'),
  range('224.0.0.0/4', 'multicast'),
  range('240.0.0.0/4', 'reserved'), // with 255.255.255.255, the broadcast address
];
const V6_RANGES = [
  range('::/128', 'unspecified'),
  range('::1/128', 'loopback'),
  range('100::/64', 'discard'),
  range('2001:db8::/32', 'documentation'),
  range('fc00::/7', 'unique-local'),
  range('fe80::/10', 'link-local'),
  range('fec0::/10', 'site-local'),
  range('ff00::/8', 'multicast'),
];
/** IPv6 ranges that carry an IPv4 address, and where it sits (bits from the right). */
const V6_EMBEDDING_V4 = [
  { cidr: parseCidr('::ffff:0:0/96')!, shift: 0n }, // IPv4-mapped
  { cidr: parseCidr('::/96')!, shift: 0n }, // IPv4-compatible (deprecated)
  { cidr: parseCidr('64:ff9b::/96')!, shift: 0n }, // NAT64
  { cidr: parseCidr('64:ff9b:1::/48')!, shift: 0n }, // local-use NAT64
  { cidr: parseCidr('2002::/16')!, shift: 80n }, // 6to4
];

/** Why an address must not be a target, or null when it may. */
export function forbiddenRange(address: string): RangeName | null {
  const a = parseAddress(address);
  if (!a) return 'reserved';
  if (a.family === 4) return V4_RANGES.find((r) => inCidr(a, r.cidr))?.name ?? null;
  const own = V6_RANGES.find((r) => inCidr(a, r.cidr))?.name;
  if (own) return own;
  for (const e of V6_EMBEDDING_V4) {
    if (!inCidr(a, e.cidr)) continue;
    const v4 = { family: 4 as const, bits: (a.bits >> e.shift) & 0xffffffffn };
    return V4_RANGES.find((r) => inCidr(v4, r.cidr))?.name ?? null;
  }
  return null;
}

// ---- the allow-list ----------------------------------------------------------------------------

export type AllowList = { names: string[]; suffixes: string[]; cidrs: Cidr[]; entries: string[] };

/** Parses OUTBOUND_ALLOWED_HOSTS entries: host names (exact, or "*.example.internal"), addresses, CIDR ranges. */
export function parseAllowList(entries: string[]): AllowList {
  const list: AllowList = { names: [], suffixes: [], cidrs: [], entries: [] };
  for (const raw of entries.map((e) => e.trim()).filter(Boolean)) {
    const entry = raw.replace(/^\[(.*)\]$/, '$1').toLowerCase();
    const cidr = parseCidr(entry);
    if (cidr) list.cidrs.push(cidr);
    else if (/^\*\.[a-z0-9-]+(\.[a-z0-9-]+)*$/.test(entry)) list.suffixes.push(entry.slice(1));
    else if (/^[a-z0-9-]+(\.[a-z0-9-]+)*\.?$/.test(entry)) list.names.push(entry.replace(/\.$/, ''));
    else throw new Error(`"${raw}" is neither a host name, an IP address nor a CIDR range`);
    list.entries.push(raw);
  }
  return list;
}

// ---- the guard ---------------------------------------------------------------------------------

export type Resolver = (host: string) => Promise<{ address: string; family: number }[]>;
const systemResolver: Resolver = (host) => dns.promises.lookup(host, { all: true, verbatim: true });

/** `body`: the bytes received, at most maxBytes; `truncated`: the answer was longer and the rest was dropped. */
export type OutboundResponse = { status: number; headers: http.IncomingHttpHeaders; text: string; body: Buffer; truncated: boolean };
export type OutboundRequest = { method?: string; headers?: Record<string, string>; body?: string | Buffer; timeoutMs: number; maxBytes?: number };

export type OutboundGuard = {
  readonly allowList: AllowList;
  /** Scheme and credentials of a URL, and its host when it is an IP literal (names are checked when resolved). Throws OutboundTargetRefused. */
  checkUrl(raw: string): URL;
  /** Resolves a host to one checked address, for clients that connect to an address (SMTP, IMAP). Throws OutboundTargetRefused. */
  resolve(host: string): Promise<{ address: string; family: 4 | 6; servername: string | undefined }>;
  /** Whether a target may be saved: form and literal address, and what its name resolves to now (a name that does not resolve is let through; it is checked again on every connection). */
  refusalFor(target: { url: string } | { host: string }): Promise<Refusal | null>;
  /** For http(s) agents: resolves, refuses a forbidden answer, and connects to exactly the address checked. */
  lookup: LookupFunction;
  /** The keep-alive agent for a URL's protocol, with the checking lookup. */
  agentFor(url: string | URL): http.Agent;
  /** One HTTP request, without following redirects, through the checking agent. */
  request(url: string, init: OutboundRequest): Promise<OutboundResponse>;
};

const MAX_RESPONSE_BYTES = 2_000_000;
const bare = (host: string) => host.replace(/^\[(.*)\]$/, '$1');

export function createOutboundGuard(opts: { allow?: AllowList | string[]; resolver?: Resolver } = {}): OutboundGuard {
  const allowList = Array.isArray(opts.allow) ? parseAllowList(opts.allow) : (opts.allow ?? parseAllowList([]));
  const resolver = opts.resolver ?? systemResolver;
  const nameAllowed = (host: string) => {
    const h = host.toLowerCase().replace(/\.$/, '');
    return allowList.names.includes(h) || allowList.suffixes.some((s) => h.endsWith(s));
  };
  const addressRefusal = (host: string, address: string): Refusal | null => {
    const parsed = parseAddress(address);
    if (parsed && allowList.cidrs.some((c) => inCidr(parsed, c))) return null;
    const r = forbiddenRange(address);
    return r ? { code: 'address', host, address, range: r } : null;
  };

  function formRefusal(raw: string): { url: URL } | { refusal: Refusal } {
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      return { refusal: { code: 'invalid', host: String(raw).slice(0, 100) } };
    }
    const host = bare(url.hostname);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return { refusal: { code: 'scheme', host, scheme: url.protocol } };
    if (url.username || url.password) return { refusal: { code: 'credentials', host } };
    if (net.isIP(host) && !nameAllowed(host)) {
      const refusal = addressRefusal(host, host);
      if (refusal) return { refusal };
    }
    return { url };
  }

  async function resolveChecked(host: string): Promise<{ address: string; family: 4 | 6 }[]> {
    const h = bare(host);
    if (net.isIP(h)) {
      const refusal = nameAllowed(h) ? null : addressRefusal(h, h);
      if (refusal) throw new OutboundTargetRefused(refusal);
      return [{ address: h, family: net.isIP(h) as 4 | 6 }];
    }
    const answers = (await resolver(h)).map((a) => ({ address: a.address, family: (a.family === 6 ? 6 : 4) as 4 | 6 }));
    if (!answers.length) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${h}`), { code: 'ENOTFOUND' });
    if (!nameAllowed(h)) {
      // Every answer must be fine: a name that also points inside is refused as a whole.
      for (const a of answers) {
        const refusal = addressRefusal(h, a.address);
        if (refusal) throw new OutboundTargetRefused(refusal);
      }
    }
    return answers;
  }

  const lookup: LookupFunction = (hostname, options, callback) => {
    const family = typeof options === 'object' && options ? options.family : undefined;
    const all = typeof options === 'object' && options ? Boolean(options.all) : false;
    resolveChecked(hostname)
      .then((answers) => {
        const wanted = family === 4 || family === 6 ? answers.filter((a) => a.family === family) : answers;
        if (!wanted.length) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' });
        if (all) (callback as (e: null, a: { address: string; family: number }[]) => void)(null, wanted);
        else callback(null, wanted[0]!.address, wanted[0]!.family);
      })
      .catch((err: NodeJS.ErrnoException) => callback(err, '', 0));
  };

  const agents = {
    'http:': new http.Agent({ keepAlive: true, maxSockets: 16, lookup }),
    'https:': new https.Agent({ keepAlive: true, maxSockets: 16, lookup }),
  };
  const agentFor = (url: string | URL) => (new URL(String(url)).protocol === 'http:' ? agents['http:'] : agents['https:']);

  const checkUrl = (raw: string): URL => {
    const r = formRefusal(raw);
    if ('refusal' in r) throw new OutboundTargetRefused(r.refusal);
    return r.url;
  };

  return {
    allowList,
    lookup,
    agentFor,
    checkUrl,
    async resolve(host) {
      const [first] = await resolveChecked(host);
      return { ...first!, servername: net.isIP(bare(host)) ? undefined : bare(host) };
    },
    async refusalFor(target) {
      let host: string;
      if ('url' in target) {
        const r = formRefusal(target.url);
        if ('refusal' in r) return r.refusal;
        host = bare(r.url.hostname);
      } else {
        host = bare(target.host.trim());
      }
      try {
        await resolveChecked(host);
        return null;
      } catch (err) {
        return err instanceof OutboundTargetRefused ? err.refusal : null;
      }
    },
    request(rawUrl, init) {
      const url = checkUrl(rawUrl);
      const client = url.protocol === 'https:' ? https : http;
      return new Promise<OutboundResponse>((resolve, reject) => {
        const req = client.request(
          url,
          {
            method: init.method ?? 'GET',
            headers: init.headers,
            agent: agentFor(url),
            signal: AbortSignal.timeout(init.timeoutMs),
          },
          (res) => {
            const chunks: Buffer[] = [];
            const max = init.maxBytes ?? MAX_RESPONSE_BYTES;
            let size = 0;
            const done = (truncated: boolean) => {
              const body = Buffer.concat(chunks);
              resolve({ status: res.statusCode ?? 0, headers: res.headers, text: body.toString('utf8'), body, truncated });
            };
            res.on('data', (c: Buffer) => {
              if (size > max) return;
              size += c.length;
              if (size <= max) return void chunks.push(c);
              // Longer than allowed: stop reading (the rest is never downloaded) and answer with what fits.
              res.removeAllListeners('end');
              res.destroy();
              done(true);
            });
            res.on('end', () => done(false));
            res.on('error', reject);
          },
        );
        req.on('error', reject);
        req.end(init.body);
      });
    },
  };
}

let current = createOutboundGuard();

/** Applies the configured allow-list (server/services.ts and the CLI call this once at boot). */
export function configureOutboundTargets(allow: string[]): OutboundGuard {
  current = createOutboundGuard({ allow });
  return current;
}

/** The guard every connector and every channel form uses. */
export function outbound(): OutboundGuard {
  return current;
}
