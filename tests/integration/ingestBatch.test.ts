/**
 * The set-based ingest path (server/domain/conversations/ingestBatch.ts) against the real database:
 * a random history of posts and status changes gives the same conversations, threads, statuses, SLA
 * clocks, contacts, audit trail, timers and live events whether the posts go through ingestInbound one
 * by one or through ingestBatch in batches of random sizes; batches keep the audit chain verifiable; concurrent batches with
 * overlapping posts store each post once.
 */
import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { pollChannelOnce } from '../../server/domain/channels/polling/pollChannel';
import type { Connector, NormalizedInbound } from '../../connectors/types';
import { insertCalendar, insertPolicy } from '../../server/db/repositories/sla.repo';
import { verifyAuditChain } from '../../server/db/repositories/audit.repo';
import { systemActor, userActor } from '../../server/domain/audit/actor';
import { assignConversation } from '../../server/domain/conversations/assignConversation';
import { changeStatus } from '../../server/domain/conversations/changeStatus';
import { ingestBatch } from '../../server/domain/conversations/ingestBatch';
import { ingestInbound } from '../../server/domain/conversations/ingestInbound';
import { inTransaction, type Dispatcher, type LiveEvent } from '../../server/domain/effects';
import { makeApiChannel, makeUser } from '../factories/factories';
import { startTestApp, type TestApp } from '../support/testApp';

let app: TestApp;
let manager: Awaited<ReturnType<typeof makeUser>>;
let agent: Awaited<ReturnType<typeof makeUser>>;
let officePolicyId: string;
let topicPolicyId: string;
const actor = systemActor('test-ingest');

const berlinDay = (offsetDays: number) => new Date(Date.now() + offsetDays * 86_400_000).toLocaleDateString('sv-SE', { timeZone: 'Europe/Berlin' });

beforeAll(async () => {
  app = await startTestApp({ workers: false });
  manager = await makeUser(app.services.db, { role: 'manager' });
  agent = await makeUser(app.services.db, { role: 'agent' });
  const { db } = app.services;
  // Every history assigns to this one agent across many channels: give them room, so routing's slot check never refuses.
  const capacity = JSON.stringify({ chat: 100, messaging: 100, social: 100, email: 100 });
  await db
    .insertInto('agentProfiles')
    .values({ userId: agent.id, skills: '{}', capacity })
    .onConflict((oc) => oc.column('userId').doUpdateSet({ capacity }))
    .execute();
  // Office hours in Berlin, closed from yesterday to tomorrow: a clock paused and resumed during the
  // test run loses no business time, so due times after a resume do not depend on how long the test ran.
  const calendar = await insertCalendar(db, {
    name: 'Batch office',
    definition: {
      name: 'Batch office',
      timeZone: 'Europe/Berlin',
      holidays: { country: 'DE', region: 'BE' },
      weekly: {
        mon: [['09:00', '17:00']],
        tue: [['09:00', '17:00']],
        wed: [['09:00', '17:00']],
        thu: [['09:00', '17:00']],
        fri: [
          ['09:00', '13:00'],
          ['14:00', '18:00'],
        ],
        sat: [],
        sun: [],
      },
      closures: [berlinDay(-1), berlinDay(0), berlinDay(1)],
    },
  });
  officePolicyId = (
    await insertPolicy(db, {
      name: 'Batch office policy',
      calendarId: calendar.id,
      firstResponseMinutes: 60,
      nextResponseMinutes: 30,
      resolutionMinutes: 600,
      warnAtPercent: 80,
      pauseWhenSaved: true,
      botsCountAsResponse: false,
    })
  ).id;
  topicPolicyId = (
    await insertPolicy(db, {
      name: 'Batch topic policy',
      calendarId: null,
      firstResponseMinutes: 120,
      nextResponseMinutes: 45,
      resolutionMinutes: null,
      warnAtPercent: 50,
      pauseWhenSaved: false,
      botsCountAsResponse: false,
    })
  ).id;
});
afterAll(async () => {
  await app.stop();
});

/** A dispatcher that records the live events a command published after commit (jobs it drops). */
function recorder() {
  const live: LiveEvent[] = [];
  const dispatcher: Dispatcher = {
    publish: async (e) => {
      live.push(e);
    },
    enqueue: async () => undefined,
    enqueueBulk: async () => undefined,
    cancel: async () => undefined,
    onDispatchError: (err) => {
      throw err;
    },
  };
  return { live, dispatcher };
}

/** A channel with the office policy and one topic with its own policy. */
async function timedChannel() {
  const { db, secretBox } = app.services;
  const channel = await makeApiChannel(db, secretBox);
  await db.updateTable('channels').set({ slaPolicyId: officePolicyId }).where('id', '=', channel.channelId).execute();
  const topic = await db
    .insertInto('topics')
    .values({ channelId: channel.channelId, name: 'Lieferung', slaPolicyId: topicPolicyId })
    .returning('id')
    .executeTakeFirstOrThrow();
  return { channelId: channel.channelId, topicId: topic.id };
}

// ---- the random history ---------------------------------------------------------------------------

type PostSpec = {
  id: number;
  author: number;
  replyTo: number | null;
  dm: boolean;
  topic: boolean;
  minutes: number;
  name: string;
  avatar: string | null | undefined;
};
type Step =
  | { kind: 'posts'; posts: PostSpec[]; chunk: number }
  /** target: the n-th stored post (mod their number), whose conversation changes */
  | { kind: 'status'; target: number; to: 'closed' | 'answered' | 'saved' }
  | { kind: 'assign'; target: number };

const IDS = 8;
const postArb: fc.Arbitrary<PostSpec> = fc.record({
  id: fc.integer({ min: 0, max: IDS - 1 }),
  author: fc.integer({ min: 0, max: 2 }),
  replyTo: fc.option(fc.integer({ min: 0, max: IDS - 1 }), { nil: null, freq: 2 }),
  dm: fc.boolean(),
  topic: fc.boolean(),
  minutes: fc.integer({ min: 0, max: 3 * 24 * 60 }),
  name: fc.constantFrom('Erika Mustermann', 'Erika M.'),
  avatar: fc.constantFrom(undefined, null, 'https://avatars.example/erika.png'),
});
const postsStepArb: fc.Arbitrary<Step> = fc.record({
  kind: fc.constant('posts' as const),
  posts: fc.array(postArb, { minLength: 1, maxLength: 10 }),
  chunk: fc.integer({ min: 1, max: 10 }),
});
const stepArb: fc.Arbitrary<Step> = fc.oneof(
  { weight: 4, arbitrary: postsStepArb },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('status' as const),
      target: fc.nat({ max: 100 }),
      to: fc.constantFrom('closed' as const, 'answered' as const, 'saved' as const, 'saved' as const),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('assign' as const), target: fc.nat({ max: 100 }) }) },
);

// Monday 2 November 2026, 08:00 in Berlin: the office calendar's hours, a Friday and a weekend lie ahead.
/** A Monday 07:00 UTC 8 to 14 days ago: recent enough that every post time is believed whenever the suite runs. */
const BASE = (() => {
  const d = new Date(Date.now() - 8 * 86_400_000);
  d.setUTCHours(7, 0, 0, 0);
  while (d.getUTCDay() !== 1) d.setUTCDate(d.getUTCDate() - 1);
  return d.getTime();
})();
/** When the histories are received: a week after BASE, so every post time is believed (domain/conversations/postTime.ts). */
const RECEIVED_AT = new Date(BASE + 7 * 86_400_000);

type Way = 'one-by-one' | 'batches';

/** Plays the history into one channel, the posts the given way; returns what was dispatched. */
async function play(way: Way, channel: { channelId: string; topicId: string }, steps: Step[]) {
  const { db } = app.services;
  const rec = recorder();
  let n = 0;
  for (const step of steps) {
    if (step.kind === 'posts') {
      const posts: NormalizedInbound[] = step.posts.map((p) => ({
        channelId: channel.channelId,
        externalId: `p${p.id}`,
        author: { externalId: `author-${p.author}`, name: p.name, handle: `@erika${p.author}`, ...(p.avatar === undefined ? {} : { avatarUrl: p.avatar }) },
        text: `Post ${p.id}`,
        postedAt: new Date(BASE + p.minutes * 60_000 + n++ * 1000),
        inReplyToExternalId: p.replyTo === null ? null : `p${p.replyTo}`,
        threadKey: p.dm ? 'dm' : null,
        topicId: p.topic ? channel.topicId : null,
        raw: { n },
      }));
      if (way === 'batches') {
        for (let i = 0; i < posts.length; i += step.chunk) {
          await inTransaction(db, rec.dispatcher, (tx, effects) => ingestBatch(tx, effects, posts.slice(i, i + step.chunk), actor, RECEIVED_AT));
        }
      } else {
        for (const post of posts) await inTransaction(db, rec.dispatcher, (tx, effects) => ingestInbound(tx, effects, post, actor, RECEIVED_AT));
      }
      continue;
    }
    // The target is the conversation of one of the posts stored so far (the same one in every channel).
    const stored = await db.selectFrom('messages').select('conversationId').where('channelId', '=', channel.channelId).orderBy('externalId').execute();
    const target = stored[step.target % Math.max(1, stored.length)];
    if (!target) continue;
    const by = { actor: userActor(manager), role: 'manager' as const };
    await inTransaction(
      db,
      rec.dispatcher,
      (tx, effects): Promise<unknown> =>
        step.kind === 'status'
          ? changeStatus(tx, effects, { conversationId: target.conversationId, status: step.to }, by)
          : assignConversation(tx, effects, { conversationId: target.conversationId, assigneeId: agent.id }, by),
    ).catch((err: Error & { status?: number }) => {
      // A transition the state machine refuses is refused the same way in every channel.
      if (err.status !== 409) throw err;
    });
  }
  return rec;
}

const iso = (d: Date | null) => d?.toISOString() ?? null;

/** Everything the channel holds, with generated ids replaced by what identifies them across channels. */
async function snapshot(channel: { channelId: string; topicId: string }, rec: ReturnType<typeof recorder>) {
  const { db } = app.services;
  const messages = await db.selectFrom('messages').selectAll().where('channelId', '=', channel.channelId).execute();
  const conversations = await db.selectFrom('conversations').selectAll().where('channelId', '=', channel.channelId).execute();
  const identities = await db
    .selectFrom('contactIdentities as i')
    .innerJoin('contacts as c', 'c.id', 'i.contactId')
    .select(['i.externalId', 'i.name', 'i.handle', 'i.avatarUrl', 'i.contactId', 'c.name as contactName'])
    .where('i.channelId', '=', channel.channelId)
    .execute();
  const convKey = new Map(
    conversations.map((c) => [
      c.id,
      messages
        .filter((m) => m.conversationId === c.id)
        .map((m) => m.externalId)
        .sort()
        .join(','),
    ]),
  );
  const messageKey = new Map(messages.map((m) => [m.id, m.externalId!]));
  const authorOf = new Map(identities.map((i) => [i.contactId, i.externalId]));
  const audit = await db
    .selectFrom('auditEvents')
    .select(['action', 'subjectId', 'before', 'after', 'actorLabel'])
    .where('channelId', '=', channel.channelId)
    .where('subjectType', '=', 'conversation')
    .orderBy('seq')
    .execute();
  const anonymous = (value: unknown) =>
    JSON.parse(
      JSON.stringify(value ?? null, (k, v) => {
        if (['caseNumber', 'resumedAt', 'pausedAt', 'version'].includes(k)) return undefined;
        if (typeof v === 'string' && messageKey.has(v)) return `message ${messageKey.get(v)}`;
        if (typeof v === 'string' && convKey.has(v)) return `conversation ${convKey.get(v)}`;
        return v;
      }),
    );
  return {
    conversations: conversations
      .map((c) => ({
        key: convKey.get(c.id),
        author: authorOf.get(c.contactId),
        status: c.status,
        assigned: c.assigneeId !== null,
        lastMessageAt: iso(c.lastMessageAt as Date),
        threadKey: c.threadKey,
        topic: c.topicId === channel.topicId ? 'topic' : c.topicId,
        slaPolicyId: c.slaPolicyId,
        firstResponseDueAt: iso(c.firstResponseDueAt),
        nextResponseDueAt: iso(c.nextResponseDueAt),
        resolutionDueAt: iso(c.resolutionDueAt),
        responseDueAt: iso(c.responseDueAt),
      }))
      .sort((a, b) => a.key!.localeCompare(b.key!)),
    caseNumberOrder: [...conversations].sort((a, b) => Number(BigInt(a.caseNumber) - BigInt(b.caseNumber))).map((c) => convKey.get(c.id)),
    messages: messages
      .map((m) => ({
        externalId: m.externalId,
        conversation: convKey.get(m.conversationId),
        authorName: m.authorName,
        authorHandle: m.authorHandle,
        inReplyTo: m.inReplyToExternalId,
        postedAt: iso(m.postedAt as Date),
        text: m.text,
        raw: m.raw,
        slaPolicyId: m.slaPolicyId,
        slaKind: m.slaKind,
        slaDueAt: iso(m.slaDueAt),
        slaWarnAt: iso(m.slaWarnAt),
        slaState: m.slaState,
        paused: m.slaPausedAt !== null,
      }))
      .sort((a, b) => a.externalId!.localeCompare(b.externalId!)),
    contacts: identities
      .map((i) => ({ externalId: i.externalId, name: i.name, handle: i.handle, avatarUrl: i.avatarUrl, contactName: i.contactName }))
      .sort((a, b) => a.externalId.localeCompare(b.externalId)),
    audit: audit.map((e) => ({
      action: e.action,
      conversation: convKey.get(e.subjectId!),
      before: anonymous(e.before),
      after: anonymous(e.after),
      actor: e.actorLabel,
    })),
    liveConversations: [
      ...new Set(
        rec.live
          .filter((e) => e.type === 'conversation' && e.change === 'message')
          .map((e) => (e.type === 'conversation' ? convKey.get(e.conversationId) : '')),
      ),
    ].sort(),
  };
}

describe('ingesting in batches', () => {
  it('when a random history of posts is ingested one by one and in batches, then conversations, threads, statuses, SLA clocks, contacts, audit, timers and live events are the same', async () => {
    await fc.assert(
      fc.asyncProperty(postsStepArb, fc.array(stepArb, { minLength: 1, maxLength: 10 }), async (first, rest) => {
        const steps = [first, ...rest];
        const ways: Way[] = ['one-by-one', 'batches'];
        const shots = [];
        for (const way of ways) {
          const channel = await timedChannel();
          shots.push(await snapshot(channel, await play(way, channel, steps)));
        }
        expect(shots[1]).toEqual(shots[0]);
      }),
      { numRuns: 20 },
    );
  }, 240_000);

  it('when one author writes several new posts in one batch, then they join one new conversation with one case number, first and next clocks, and one live event', async () => {
    const channel = await timedChannel();
    const rec = recorder();
    const posts: NormalizedInbound[] = [0, 1, 2].map((i) => ({
      channelId: channel.channelId,
      externalId: `same-${i}`,
      author: { externalId: 'one-author', name: 'Max' },
      text: `Teil ${i}`,
      postedAt: new Date(BASE + i * 60_000),
    }));
    const results = await inTransaction(app.services.db, rec.dispatcher, (tx, effects) => ingestBatch(tx, effects, posts, actor));
    expect(results.map((r) => r.created)).toEqual([true, true, true]);
    expect(new Set(results.map((r) => r.conversationId)).size).toBe(1);
    expect(new Set(results.map((r) => r.caseNumber)).size).toBe(1);
    const kinds = await app.services.db
      .selectFrom('messages')
      .select(['externalId', 'slaKind', 'slaState', 'slaDueAt'])
      .where('channelId', '=', channel.channelId)
      .orderBy('postedAt')
      .execute();
    expect(kinds.map((k) => k.slaKind)).toEqual(['first', 'next', 'next']);
    // each clock runs: the SLA sweep finds its due time on the row
    for (const k of kinds) expect(k).toMatchObject({ slaState: 'ok', slaDueAt: expect.any(Date) });
    expect(rec.live).toEqual([{ type: 'conversation', conversationId: results[0]!.conversationId, channelId: channel.channelId, change: 'message' }]);
  });

  it('when a batch repeats a post and replies to an earlier post of the same batch, then the repeat returns the first one and the reply joins its conversation', async () => {
    const channel = await timedChannel();
    const post = (externalId: string, author: string, inReplyToExternalId: string | null = null): NormalizedInbound => ({
      channelId: channel.channelId,
      externalId,
      author: { externalId: author, name: author },
      text: externalId,
      postedAt: new Date(BASE),
      inReplyToExternalId,
    });
    const results = await inTransaction(app.services.db, recorder().dispatcher, (tx, effects) =>
      ingestBatch(tx, effects, [post('a', 'anna'), post('b', 'bert', 'a'), post('a', 'anna'), post('c', 'carl')], actor),
    );
    expect(results.map((r) => r.created)).toEqual([true, true, false, true]);
    expect(results[1]!.conversationId).toBe(results[0]!.conversationId);
    expect(results[2]).toEqual({ ...results[0], created: false });
    expect(results[3]!.conversationId).not.toBe(results[0]!.conversationId);
    const again = await inTransaction(app.services.db, recorder().dispatcher, (tx, effects) =>
      ingestBatch(tx, effects, [post('c', 'carl'), post('a', 'anna')], actor),
    );
    expect(again).toEqual([
      { ...results[3], created: false },
      { ...results[0], created: false },
    ]);
  });

  it('when batches are ingested with the real dispatcher, then the audit chain verifies and every timed post has a running clock', async () => {
    const channel = await timedChannel();
    const posts: NormalizedInbound[] = Array.from({ length: 300 }, (_, i) => ({
      channelId: channel.channelId,
      externalId: `real-${i}`,
      author: { externalId: `real-author-${i % 40}`, name: `Kundin ${i % 40}` },
      text: `Wo bleibt Bestellung ${i}?`,
      postedAt: new Date(Date.now() + 3_600_000 + i * 1000),
    }));
    const { db, dispatcher } = app.services;
    const chunks = [posts.slice(0, 100), posts.slice(100, 200), posts.slice(200)];
    const results = (await Promise.all(chunks.map((chunk) => inTransaction(db, dispatcher, (tx, effects) => ingestBatch(tx, effects, chunk, actor))))).flat();
    expect(results.every((r) => r.created)).toBe(true);
    expect(await verifyAuditChain(db)).toEqual({ ok: true, events: expect.any(Number) });
    // every post's clock runs (the SLA sweep reads it from the row)
    const clocks = await db
      .selectFrom('messages')
      .select(['slaState', 'slaWarnAt', 'slaDueAt', 'slaPausedAt'])
      .where(
        'id',
        'in',
        results.map((r) => r.messageId),
      )
      .execute();
    expect(clocks).toHaveLength(300);
    for (const c of clocks) expect(c).toEqual({ slaState: 'ok', slaWarnAt: expect.any(Date), slaDueAt: expect.any(Date), slaPausedAt: null });
    const received = await db
      .selectFrom('auditEvents')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .where('channelId', '=', channel.channelId)
      .where('action', '=', 'message.received')
      .executeTakeFirstOrThrow();
    expect(Number(received.n)).toBe(300);
  });

  it('when concurrent batches bring overlapping posts of the same new authors, then each post and each author is stored once and the audit chain verifies', async () => {
    const channel = await timedChannel();
    const pool: NormalizedInbound[] = Array.from({ length: 240 }, (_, i) => ({
      channelId: channel.channelId,
      externalId: `overlap-${i}`,
      author: { externalId: `overlap-author-${i % 30}`, name: `Autor ${i % 30}` },
      text: `Nachricht ${i}`,
      postedAt: new Date(BASE + i * 1000),
    }));
    // Four batches, each a different shuffled two thirds of the pool.
    const batches = [0, 1, 2, 3].map((b) => pool.filter((_, i) => (i + b) % 3 !== 0).sort(() => Math.random() - 0.5));
    const { db } = app.services;
    const results = await Promise.all(
      batches.map((batch) => inTransaction(db, recorder().dispatcher, (tx, effects) => ingestBatch(tx, effects, batch, actor))),
    );

    const stored = await db.selectFrom('messages').select(['id', 'externalId']).where('channelId', '=', channel.channelId).execute();
    expect(stored).toHaveLength(240);
    expect(results.flat().filter((r) => r.created)).toHaveLength(240);
    const idOf = new Map(stored.map((m) => [m.externalId, m.id]));
    batches.forEach((batch, b) => {
      batch.forEach((post, i) => {
        expect(results[b]![i]!.messageId).toBe(idOf.get(post.externalId));
      });
    });
    const identities = await db.selectFrom('contactIdentities').select('contactId').where('channelId', '=', channel.channelId).execute();
    expect(identities).toHaveLength(30);
    const orphans = await db
      .selectFrom('contacts as c')
      .select('c.id')
      .where(({ not, exists, selectFrom }) => not(exists(selectFrom('contactIdentities as i').select('i.id').whereRef('i.contactId', '=', 'c.id'))))
      .execute();
    expect(orphans).toHaveLength(0);
    const received = await db
      .selectFrom('auditEvents')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .where('channelId', '=', channel.channelId)
      .where('action', '=', 'message.received')
      .executeTakeFirstOrThrow();
    expect(Number(received.n)).toBe(240);
    expect(await verifyAuditChain(db)).toEqual({ ok: true, events: expect.any(Number) });
  });

  it('when a batch is empty or holds only stored posts, then nothing is written', async () => {
    const channel = await timedChannel();
    const rec = recorder();
    expect(await inTransaction(app.services.db, rec.dispatcher, (tx, effects) => ingestBatch(tx, effects, [], actor))).toEqual([]);
    const post: NormalizedInbound = {
      channelId: channel.channelId,
      externalId: `once-${randomUUID()}`,
      author: { externalId: 'x', name: 'X' },
      text: 'x',
      postedAt: new Date(BASE),
    };
    const [first] = await inTransaction(app.services.db, rec.dispatcher, (tx, effects) => ingestBatch(tx, effects, [post], actor));
    const seqBefore = await app.services.db
      .selectFrom('auditEvents')
      .select((eb) => eb.fn.max('seq').as('seq'))
      .executeTakeFirstOrThrow();
    const again = await inTransaction(app.services.db, rec.dispatcher, (tx, effects) => ingestBatch(tx, effects, [post, post], actor));
    expect(again).toEqual([
      { ...first, created: false },
      { ...first, created: false },
    ]);
    const seqAfter = await app.services.db
      .selectFrom('auditEvents')
      .select((eb) => eb.fn.max('seq').as('seq'))
      .executeTakeFirstOrThrow();
    expect(seqAfter.seq).toBe(seqBefore.seq);
  });

  // 1 200 posts, and the refused one's batch retried post by post: about 17 s alone, more on a busy machine
  it('when a poll fetches a page with a reply, a repeat and an item the database refuses, then the page goes in as batches, only the refused item is skipped and the cursor advances', async () => {
    const channel = await timedChannel();
    // A poll receives its page now: the items are dated within the last two days.
    const pageStart = Date.now() - 2 * 86_400_000;
    const at = (min: number) => new Date(pageStart + min * 60_000);
    const item = (externalId: string, min: number, extra: Partial<NormalizedInbound> = {}): NormalizedInbound => ({
      channelId: channel.channelId,
      externalId,
      author: { externalId: 'poll-author', name: 'Paula' },
      text: `Text ${externalId}`,
      postedAt: at(min),
      ...extra,
    });
    // 1 200 items: more than two batches; one refused (NUL), one repeated, one replying to an earlier item.
    const page = Array.from({ length: 1200 }, (_, i) => item(`poll-${i}`, i, { author: { externalId: `poll-author-${i % 50}`, name: `Paula ${i % 50}` } }));
    page.push(
      item('poll-3', 3),
      item('poll-bad', 5, { text: 'kaputt \u0000' }),
      item('poll-reply', 2000, { inReplyToExternalId: 'poll-7', author: { externalId: 'someone-else', name: 'S' } }),
    );
    const connector: Connector = {
      kind: 'api',
      limits: () => ({}) as never,
      capabilities: {} as never,
      sendReply: async () => ({ externalId: null, url: null }),
      testConnection: async () => 'not asked here',
      fetchSince: async (_ch, cursor) => ({ items: page, nextCursor: { ...cursor, channel: 'after-page' } }),
    };
    const { db } = app.services;
    const outcome = await pollChannelOnce({ ...app.services, connectors: { of: () => connector, all: [connector] } }, channel.channelId);
    expect(outcome).toEqual({ outcome: 'polled', fetched: 1203, created: 1201, skipped: 1 });
    const stored = await db.selectFrom('messages').select(['externalId', 'conversationId']).where('channelId', '=', channel.channelId).execute();
    expect(stored).toHaveLength(1201);
    const conv = new Map(stored.map((m) => [m.externalId, m.conversationId]));
    expect(conv.get('poll-reply')).toBe(conv.get('poll-7'));
    expect(conv.has('poll-bad')).toBe(false);
    expect((await db.selectFrom('channels').select('cursor').where('id', '=', channel.channelId).executeTakeFirstOrThrow()).cursor).toBe('after-page');
  }, 120_000);
});
