/** Repeated statements prepared on their connection, against the real PostgreSQL: when, how many, and after a migration. */
import type pg from 'pg';
import { createPool } from '../../server/db/client';

const preparedOn = async (client: pg.PoolClient) =>
  (await client.query<{ statement: string }>('SELECT statement FROM pg_prepared_statements ORDER BY prepare_time')).rows.map((r) => r.statement);

describe('prepared statements', () => {
  let pool: pg.Pool;
  afterEach(() => pool.end());

  it('when a parameterised statement runs a second time on a connection, then it is prepared there once and keeps answering', async () => {
    pool = createPool(process.env.DATABASE_URL!, 1);
    const client = await pool.connect();
    try {
      const text = 'SELECT $1::int + 1 AS n';
      expect((await client.query(text, [1])).rows[0].n).toBe(2);
      expect(await preparedOn(client)).toEqual([]);
      expect((await client.query(text, [2])).rows[0].n).toBe(3);
      expect((await client.query(text, [3])).rows[0].n).toBe(4);
      expect(await preparedOn(client)).toEqual([text]);
    } finally {
      client.release();
    }
  });

  it('when the connection holds its maximum, then further statements still run, unprepared', async () => {
    pool = createPool(process.env.DATABASE_URL!, 1);
    const client = await pool.connect();
    try {
      for (let i = 0; i < 205; i++) {
        const text = `SELECT $1::int + ${i} AS n`;
        await client.query(text, [1]);
        expect((await client.query(text, [1])).rows[0].n).toBe(1 + i);
      }
      expect(await preparedOn(client)).toHaveLength(200);
    } finally {
      client.release();
    }
  });

  /** Runs `text` twice on one connection (so it is prepared), migrates, expects one refusal and then three answers; returns what the server holds prepared. */
  const afterMigration = async (m: { table: string[]; text: string; migration: string; value: unknown; refusal: string; answer: unknown }) => {
    pool = createPool(process.env.DATABASE_URL!, 1);
    for (const statement of m.table) await pool.query(statement);
    const client = await pool.connect();
    try {
      await client.query(m.text, [m.value]);
      await client.query(m.text, [m.value]);
      await client.query(m.migration);
      await expect(client.query(m.text, [m.value])).rejects.toMatchObject({ code: m.refusal });
      for (let i = 0; i < 3; i++) expect((await client.query(m.text, [m.value])).rows).toEqual(m.answer);
      return await preparedOn(client);
    } finally {
      client.release();
    }
  };

  it('when a migration changes the columns of a prepared `select *`, then one execution fails and the statement is prepared afresh', async () => {
    const text = 'SELECT * FROM prepared_probe WHERE id = $1';
    const prepared = await afterMigration({
      table: ['CREATE TABLE prepared_probe (id int PRIMARY KEY)', 'INSERT INTO prepared_probe VALUES (1)'],
      text,
      migration: 'ALTER TABLE prepared_probe ADD COLUMN note text DEFAULT $$x$$',
      value: 1,
      refusal: '0A000',
      answer: [{ id: 1, note: 'x' }],
    });
    // the refused one stays on the server (no statement can be sent in a failed transaction), the new one beside it
    expect(prepared).toEqual([text, text]);
  });

  it("when a migration changes a column's type under a prepared parameter, then one execution fails and the next ones answer", async () => {
    await afterMigration({
      table: ['CREATE TABLE prepared_code (code int)', 'INSERT INTO prepared_code VALUES (7)'],
      text: 'SELECT count(*)::int AS n FROM prepared_code WHERE code = $1',
      migration: 'ALTER TABLE prepared_code ALTER COLUMN code TYPE text',
      value: '7',
      refusal: '42883',
      answer: [{ n: 1 }],
    });
  });

  it('when a value cannot be sent (pg closes the statement), then that execution fails and the next ones answer', async () => {
    pool = createPool(process.env.DATABASE_URL!, 1);
    const client = await pool.connect();
    try {
      const text = 'SELECT $1::jsonb AS v';
      await client.query(text, [{ a: 1 }]);
      await client.query(text, [{ a: 2 }]);
      await expect(client.query(text, [{ a: 3n }])).rejects.toThrow(/BigInt/);
      for (let i = 0; i < 3; i++) expect((await client.query(text, [{ a: i }])).rows).toEqual([{ v: { a: i } }]);
    } finally {
      client.release();
    }
  });

  it('when preparing is switched off (PgBouncer before 1.21), then nothing is prepared', async () => {
    pool = createPool(process.env.DATABASE_URL!, 1, false);
    const client = await pool.connect();
    try {
      for (let i = 0; i < 3; i++) await client.query('SELECT $1::int AS n', [i]);
      expect(await preparedOn(client)).toEqual([]);
    } finally {
      client.release();
    }
  });
});
