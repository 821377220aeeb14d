/** Statements compiled once and run with each call's values, against the real PostgreSQL. */
import { sql } from 'kysely';
import type pg from 'pg';
import { compiledOnce, compiledPerShape } from '../../server/db/compiledOnce';
import { createDb, createPool, type Db, type Tx } from '../../server/db/client';
import type { Role } from '../../server/db/schema';
import { makeUser } from '../factories/factories';

let pool: pg.Pool;
let db: Db;
beforeAll(() => {
  pool = createPool(process.env.DATABASE_URL!, 2);
  db = createDb(pool);
});
afterAll(() => db.destroy());

const userByIdAndRole = compiledOnce((d, v: { id: string; role: Role }) =>
  d.selectFrom('users').select(['id', 'name', 'createdAt']).where('id', '=', v.id).where('role', '=', v.role).where('deactivatedAt', 'is', null),
);

describe('a statement compiled once', () => {
  it('when it runs with other values each time, then each call answers for its own values, with camelCase columns, as the built statement does', async () => {
    const [lena, paul] = await Promise.all([makeUser(db, { name: 'Lena Vogt' }), makeUser(db, { name: 'Paul Weber', role: 'manager' })]);
    const built = (id: string, role: Role) =>
      db.selectFrom('users').select(['id', 'name', 'createdAt']).where('id', '=', id).where('role', '=', role).where('deactivatedAt', 'is', null).execute();
    for (const [id, role] of [
      [lena.id, 'agent'],
      [paul.id, 'manager'],
      [paul.id, 'agent'],
      [lena.id, 'agent'],
    ] as const) {
      const rows = await userByIdAndRole(db, { id, role });
      expect(rows).toEqual(await built(id, role));
    }
    expect((await userByIdAndRole(db, { id: paul.id, role: 'manager' }))[0]).toEqual({ id: paul.id, name: 'Paul Weber', createdAt: expect.any(Date) });
  });

  it('when a value is used twice and a constant sits between, then both places get the value and the constant stays', async () => {
    const lena = await makeUser(db, { name: 'Lena Vogt' });
    const twice = compiledOnce((d, v: { id: string }) =>
      d
        .selectFrom('users')
        .select((eb) => [eb.val('fixed').as('constant'), sql<string>`${v.id}::text`.as('echo')])
        .where('id', '=', v.id),
    );
    expect(await twice(db, { id: lena.id })).toEqual([{ constant: 'fixed', echo: lena.id }]);
  });

  it('when it runs in a transaction, then it sees what the transaction wrote', async () => {
    await db
      .transaction()
      .execute(async (tx) => {
        const lena = await makeUserIn(tx);
        expect(await userByIdAndRole(tx, { id: lena, role: 'agent' })).toHaveLength(1);
        throw new Error('roll back');
      })
      .catch((err: Error) => expect(err.message).toBe('roll back'));
  });

  it('when a statement has shapes, then each shape answers for its own values, also after more shapes than are kept', async () => {
    for (let i = 0; i < 5; i++) await makeUser(db, { role: 'auditor' });
    const [auditors, managers] = await Promise.all(
      (['auditor', 'manager'] as const).map(async (role) => (await db.selectFrom('users').select('id').where('role', '=', role).execute()).length),
    );
    const byShape = compiledPerShape((d, v: { role: Role }, shape: { newestFirst: boolean; limit: number }) =>
      d
        .selectFrom('users')
        .select('id')
        .where('role', '=', v.role)
        .orderBy('createdAt', shape.newestFirst ? 'desc' : 'asc')
        .orderBy('id')
        .limit(shape.limit),
    );
    const built = (role: Role, newestFirst: boolean, limit: number) =>
      db
        .selectFrom('users')
        .select('id')
        .where('role', '=', role)
        .orderBy('createdAt', newestFirst ? 'desc' : 'asc')
        .orderBy('id')
        .limit(limit)
        .execute();
    // 2 × 80 shapes, more than the 64 kept: the first ones are compiled again when they come back
    for (const round of [1, 2]) {
      for (let limit = 1; limit <= 80; limit++) {
        const newestFirst = limit % 2 === 0;
        const role: Role = (limit + round) % 3 === 0 ? 'manager' : 'auditor';
        const rows = await byShape(db, { newestFirst, limit }, { role });
        expect(rows).toEqual(await built(role, newestFirst, limit));
        expect(rows).toHaveLength(Math.min(limit, role === 'manager' ? managers! : auditors!));
      }
    }
  });

  it.each([
    ['adds to a value', compiledOnce((d, v: { q: string }) => d.selectFrom('users').select('id').where('name', 'like', `%${v.q}%`)), /changed/],
    ['lower-cases a value', compiledOnce((d, v: { q: string }) => d.selectFrom('users').select('id').where('email', '=', v.q.toLowerCase())), /changed/],
    ['trims a value', compiledOnce((d, v: { q: string }) => d.selectFrom('users').select('id').where('email', '=', v.q.trim())), /changed/],
    [
      'prints a value into the text',
      compiledOnce((d, v: { id: string }) => d.selectFrom('users').select('id').where(sql.ref('id'), '=', sql.lit(v.id))),
      /printed/,
    ],
    [
      'lets a value shape the statement',
      compiledOnce((d, v: { id: string }) =>
        d
          .selectFrom('users')
          .select('id')
          .limit(v.id ? 1 : 2),
      ),
      /shaped/,
    ],
  ])('when the builder %s, then the first call is refused and so is the next', async (_, statement, refusal) => {
    const values = { id: 'x', q: 'x' };
    await expect(statement(db, values)).rejects.toThrow(refusal);
    await expect(statement(db, values)).rejects.toThrow(refusal);
  });
});

async function makeUserIn(tx: Tx): Promise<string> {
  const row = await tx
    .insertInto('users')
    .values({ email: `tx-${Date.now()}@example.test`, name: 'In a transaction', role: 'agent', passwordHash: null })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}
