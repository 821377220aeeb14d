/** Every connector declares what its channel can do; the domain and the views ask this instead of the channel's kind. */
import { connectors } from '../../../connectors/registry';
import type { ChannelCapabilities } from '../../../connectors/types';
import type { Channel } from '../../../server/db/schema';

const EVERY_CAPABILITY: (keyof ChannelCapabilities)[] = [
  'accountFacts',
  'credentials',
  'templates',
  'trackedSearches',
  'moderation',
  'privateReplies',
  'publicPosts',
  'botReplies',
];
const channel = (kind: Channel['kind'], settings: unknown) => ({ kind, settings }) as Channel;

describe.each(connectors.all.map((c) => [c.kind, c] as const))('the %s connector', (kind, connector) => {
  it('when asked what it can do, then it answers every capability, none left undefined', () => {
    expect(Object.keys(connector.capabilities).sort()).toEqual([...EVERY_CAPABILITY].sort());
    for (const key of EVERY_CAPABILITY) expect(connector.capabilities[key]).not.toBeUndefined();
  });

  it('when asked for its limits, then replies have a positive maximum length and any reply window is positive', () => {
    const limits = connector.limits(channel(kind, {}));
    expect(limits.maxTextLength).toBeGreaterThan(0);
    if (limits.freeTextWindowHours !== undefined) expect(limits.freeTextWindowHours).toBeGreaterThan(0);
  });

  it('when its capabilities depend on each other, then they agree (searches need a poller, templates a reply window)', () => {
    if (connector.capabilities.trackedSearches) expect(connector.fetchSince).toBeInstanceOf(Function);
    if (connector.capabilities.templates) expect(connector.limits(channel(kind, {})).freeTextWindowHours).toBeGreaterThan(0);
    if (connector.capabilities.credentials) expect(connector.capabilities.credentials.fields.some((f) => f.required)).toBe(true);
    if (connector.capabilities.moderation.length) expect(connector.moderate).toBeInstanceOf(Function);
    // the bot answers private messages only, never in public under a post
    if (connector.capabilities.botReplies) expect(connector.capabilities.publicPosts).toBe(false);
  });

  it('when its settings cannot be read, then it shows no account facts and no templates instead of failing', () => {
    expect(connector.capabilities.accountFacts({ nonsense: true })).toEqual([]);
    expect(connector.capabilities.templates?.read({ nonsense: true }) ?? []).toEqual([]);
  });
});

describe('what each channel can do', () => {
  it('when the channels are asked, then X tracks searches and takes new credentials, WhatsApp has templates and a 24-hour window, Facebook and Instagram moderate comments, answer privately and have 24-hour/7-day DM windows; X, Facebook and Instagram have public posts; the bot may answer on Telegram and WhatsApp', () => {
    const table = Object.fromEntries(
      connectors.all.map((c) => [
        c.kind,
        {
          searches: c.capabilities.trackedSearches,
          credentials: (c.capabilities.credentials?.fields ?? []).map((f) => f.name),
          templates: c.capabilities.templates !== null,
          windowHours: c.limits(channel(c.kind, {})).freeTextWindowHours ?? null,
          dmWindowHours: [c.limits(channel(c.kind, {}), 'dm').freeTextWindowHours ?? null, c.limits(channel(c.kind, {}), 'dm').humanAgentWindowHours ?? null],
          moderation: c.capabilities.moderation,
          privateReplies: c.capabilities.privateReplies,
          publicPosts: c.capabilities.publicPosts,
          botReplies: c.capabilities.botReplies,
        },
      ]),
    );
    const plain = { dmWindowHours: [null, null], moderation: [], privateReplies: false, publicPosts: false, botReplies: false };
    const meta = {
      searches: false,
      credentials: [],
      templates: false,
      windowHours: null,
      dmWindowHours: [24, 168],
      moderation: ['hide', 'unhide', 'delete'],
      privateReplies: true,
      publicPosts: true,
      botReplies: false,
    };
    expect(table).toEqual({
      api: { searches: false, credentials: [], templates: false, windowHours: null, ...plain },
      x: {
        searches: true,
        credentials: ['bearerToken', 'appKey', 'appSecret', 'accessToken', 'accessSecret'],
        templates: false,
        windowHours: null,
        ...plain,
        publicPosts: true,
      },
      whatsapp: { searches: false, credentials: [], templates: true, windowHours: 24, ...plain, dmWindowHours: [24, null], botReplies: true },
      telegram: { searches: false, credentials: [], templates: false, windowHours: null, ...plain, botReplies: true },
      email: { searches: false, credentials: [], templates: false, windowHours: null, ...plain },
      webchat: { searches: false, credentials: [], templates: false, windowHours: null, ...plain },
      facebook: meta,
      instagram: meta,
    });
  });

  it('when WhatsApp templates are written into settings, then they are read back and the other settings stay', () => {
    const templates = connectors.of('whatsapp')!.capabilities.templates!;
    const settings = templates.write({ phoneNumberId: '123', templates: [] }, [{ name: 'order_update', language: 'de' }]);
    expect(settings).toMatchObject({ phoneNumberId: '123', templates: [{ name: 'order_update', language: 'de' }] });
    expect(templates.read(settings)).toEqual([{ name: 'order_update', language: 'de' }]);
    expect(templates.schema.safeParse({ name: 'Bad Name', language: 'de' }).success).toBe(false);
  });

  it('when an X channel is shown, then its base URL and account (with the handle) are the facts', () => {
    expect(connectors.of('x')!.capabilities.accountFacts({ apiBaseUrl: 'https://api.x.com/2/', userId: '42', handle: 'care' })).toEqual([
      { key: 'apiBaseUrl', value: 'https://api.x.com/2/' },
      { key: 'userId', value: '42', note: '@care' },
    ]);
  });
});
