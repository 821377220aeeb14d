/**
 * How PostgreSQL plans the inbox list once its statements are prepared on a connection, read back from
 * pg_prepared_statements: a page of the list is served by its generic plan, a search is planned for its text.
 * Its own database holds 5 000 open conversations, enough for a plan blind to the page size to come out dearer.
 */
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { createDb, createPool, type Db } from '../../server/db/client';
import { countInbox, inboxIds, listInbox } from '../../server/db/repositories/conversations.repo';

/** The inbox statements one connection holds prepared (`marker` in their text): whether each is a search, how often its generic plan ran, how often it was planned anew. */
async function plansOf(run: (db: Db) => Promise<unknown>, marker = '"c"."case_number"') {
  const db = createDb(createPool(process.env.DATABASE_URL!, 1));
  try {
    await run(db);
    const { rows } = await sql<{ statement: string; genericPlans: string; customPlans: string }>`
      SELECT statement, generic_plans, custom_plans FROM pg_prepared_statements WHERE strpos(statement, ${marker}) > 0`.execute(db);
    return rows.map((r) => ({ search: r.statement.includes('search_tsv'), generic: Number(r.genericPlans), custom: Number(r.customPlans) }));
  } finally {
    await db.destroy();
  }
}

/** The console's default list as an agent sees it (whose read state marks rows unread is a parameter). */
const OPEN = { sort: 'urgent' as const, status: ['new' as const, 'assigned' as const, 'saved' as const], limit: 26, offset: 0, viewerId: randomUUID() };

beforeAll(async () => {
  const db = createDb(createPool(process.env.DATABASE_URL!, 1));
  try {
    await sql`WITH ch AS (INSERT INTO channels (kind, name) VALUES ('api', 'Plans') RETURNING id),
                   ct AS (INSERT INTO contacts (name) VALUES ('Erika Mustermann') RETURNING id)
              INSERT INTO conversations (channel_id, contact_id, status, last_message_at, response_due_at)
              SELECT ch.id, ct.id, (ARRAY['new', 'assigned', 'saved', 'closed'])[1 + i % 4], now() - i * interval '1 minute',
                     now() + (i % 500) * interval '1 minute'
                FROM ch, ct, generate_series(1, 5000) i`.execute(db);
    await sql`ANALYZE conversations`.execute(db);
  } finally {
    await db.destroy();
  }
});

describe('plans of the inbox list', () => {
  it('when the console lists the same page again and again, then its generic plan serves it: the list is not planned each time', async () => {
    const plans = await plansOf(async (db) => {
      for (let i = 0; i < 10; i++) expect(await listInbox(db, OPEN)).toHaveLength(26);
    });
    expect(plans).toEqual([{ search: false, generic: expect.any(Number), custom: expect.any(Number) }]);
    expect(plans[0]!.generic).toBeGreaterThanOrEqual(4);
  });

  it('when agents search again and again, then every search is planned for its own text (a generic plan cannot tell a name from a common word)', async () => {
    const plans = await plansOf(async (db) => {
      for (let i = 0; i < 10; i++) await listInbox(db, { ...OPEN, q: `Kundin ${i}` });
      for (let i = 0; i < 10; i++) await countInbox(db, { q: `Kundin ${i}` }, 1000);
      for (let i = 0; i < 10; i++) await inboxIds(db, { q: `Kundin ${i}` }, 500);
    }, 'search_tsv');
    // the list, the count of a saved view and the ids of "all matching"
    expect(plans).toEqual([0, 1, 2].map(() => ({ search: true, generic: 0, custom: 9 })));
  });

  it('when agents page deep and write status lists in any order, then the list takes a few prepared statements, not one per page', async () => {
    const plans = await plansOf(async (db) => {
      for (let round = 0; round < 2; round++) {
        for (let offset = 0; offset <= 500; offset += 25) await listInbox(db, { ...OPEN, offset });
        await listInbox(db, { ...OPEN, status: ['saved', 'new', 'new'] });
        await listInbox(db, { ...OPEN, status: ['new', 'saved'] });
      }
    });
    // the first page, every further page, and the set {new, saved}
    expect(plans).toHaveLength(3);
  });
});
