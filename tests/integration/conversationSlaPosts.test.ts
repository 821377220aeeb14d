/**
 * The SLA state the inbox and the conversation show is read from the posts that decide it (every post awaiting an
 * answer and the latest timed post), never from all of a conversation's posts: the state must come out as if all
 * were read, and what is read must not grow with the conversation.
 */
import { sql } from 'kysely';
import fc from 'fast-check';
import { createDb, createPool, type Db } from '../../server/db/client';
import { findConversationDetail, listInbox } from '../../server/db/repositories/conversations.repo';
import { conversationSlaState } from '../../server/domain/sla/policy';
import { presentConversationSla } from '../../server/presenters/sla.presenter';

let db: Db;
let channelId: string;
let contactId: string;

beforeAll(async () => {
  db = createDb(createPool(process.env.DATABASE_URL!, 2));
  const ids = await sql<{ channelId: string; contactId: string }>`
    WITH ch AS (INSERT INTO channels (kind, name) VALUES ('api', 'Chat') RETURNING id),
         ct AS (INSERT INTO contacts (name) VALUES ('Erika Mustermann') RETURNING id)
    SELECT ch.id AS channel_id, ct.id AS contact_id FROM ch, ct`.execute(db);
  ({ channelId, contactId } = ids.rows[0]!);
});

afterAll(() => db.destroy());

type Post = { minutesAgo: number; timed: boolean; answeredAfter: number | null; state: 'ok' | 'warning' | 'breached' | 'met'; paused: boolean };

/** A conversation with these inbound posts (each followed by an untimed reply when answered); its id. */
async function conversationWith(posts: Post[]): Promise<string> {
  const { rows } = await sql<{ id: string }>`
    INSERT INTO conversations (channel_id, contact_id, status, last_message_at) VALUES (${channelId}, ${contactId}, 'new', now()) RETURNING id`.execute(db);
  const id = rows[0]!.id;
  for (const p of posts) {
    const posted = sql`now() - ${p.minutesAgo} * interval '1 minute'`;
    const due = sql`${posted} + interval '60 minutes'`;
    const responded = p.answeredAfter === null ? sql`NULL` : sql`${posted} + ${p.answeredAfter} * interval '1 minute'`;
    await sql`
      INSERT INTO messages (conversation_id, channel_id, direction, author_name, text, posted_at, sla_due_at, sla_warn_at, sla_state, responded_at, sla_paused_at)
      VALUES (${id}, ${channelId}, 'inbound', 'Erika', 'Wo bleibt meine Bestellung?', ${posted},
              ${p.timed ? due : sql`NULL`}, ${p.timed ? sql`${due} - interval '12 minutes'` : sql`NULL`}, ${p.timed ? p.state : null},
              ${responded}, ${p.paused ? posted : sql`NULL`})`.execute(db);
    if (p.answeredAfter !== null) {
      await sql`INSERT INTO messages (conversation_id, channel_id, direction, author_name, text, posted_at)
                VALUES (${id}, ${channelId}, 'outbound', 'Agent', 'Ist unterwegs.', ${responded})`.execute(db);
    }
  }
  return id;
}

/** The state computed from every post of the conversation, as the domain defines it. */
async function stateFromAllPosts(conversationId: string, now: Date) {
  const posts = await db
    .selectFrom('messages')
    .select(['slaDueAt', 'slaWarnAt', 'slaState', 'respondedAt', 'postedAt', 'slaPausedAt'])
    .where('conversationId', '=', conversationId)
    .execute();
  return conversationSlaState(posts, now);
}

const post = fc.record({
  timed: fc.boolean(),
  answeredAfter: fc.option(fc.integer({ min: 1, max: 180 })),
  state: fc.constantFrom('ok' as const, 'warning' as const, 'breached' as const, 'met' as const),
  paused: fc.boolean(),
});
/** Distinct minutes, so that no two posts share a posting time (a tie is decided by id, not by the domain). */
const posts = fc
  .uniqueArray(fc.integer({ min: 1, max: 20_000 }), { maxLength: 12 })
  .chain((minutes) => fc.tuple(...minutes.map((minutesAgo) => post.map((p) => ({ ...p, minutesAgo })))));

describe('the SLA state of a conversation, read from the posts that decide it', () => {
  it('when a conversation has any mix of timed, untimed, answered, awaiting and paused posts, then the inbox and the conversation show the state all its posts give', async () => {
    await fc.assert(
      fc.asyncProperty(posts, async (list) => {
        const id = await conversationWith(list);
        const now = new Date();
        const expected = await stateFromAllPosts(id, now);
        const inboxRow = (await listInbox(db, { sort: 'newest', status: ['new'], limit: 1, offset: 0 }))[0]!;
        expect(inboxRow.id).toBe(id);
        expect(presentConversationSla(inboxRow, now).state).toBe(expected);
        const detail = (await findConversationDetail(db, id))!;
        expect(presentConversationSla(detail, now).state).toBe(expected);
        await sql`UPDATE conversations SET status = 'closed' WHERE id = ${id}`.execute(db);
      }),
      { numRuns: 40 },
    );
  });

  it('when a long chat has 200 answered timed posts and two awaiting, then three posts are read for its row, not all of them', async () => {
    const answered = Array.from({ length: 200 }, (_, i) => ({ minutesAgo: 1000 + i * 5, timed: true, answeredAfter: 2, state: 'met' as const, paused: false }));
    const awaiting = [10, 20].map((minutesAgo) => ({ minutesAgo, timed: true, answeredAfter: null, state: 'ok' as const, paused: false }));
    const id = await conversationWith([...answered, ...awaiting]);
    const inboxRow = (await listInbox(db, { sort: 'newest', status: ['new'], limit: 1, offset: 0 }))[0]!;
    expect(inboxRow.id).toBe(id);
    expect(inboxRow.slaPosts).toHaveLength(3);
    expect((await findConversationDetail(db, id))!.slaPosts).toHaveLength(3);
  });
});
