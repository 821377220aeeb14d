/**
 * A post the database refuses: a trigger on this test file's database that fails the INSERT of any message
 * whose text contains `marker` with a check violation (SQLSTATE 23514), as PostgreSQL refuses data it cannot
 * store. Lets a test put one such post among good ones; stop() removes the trigger.
 */
import { sql } from 'kysely';
import type { Db } from '../../server/db/client';

export async function refuseTextsContaining(db: Db, marker: string): Promise<{ stop(): Promise<void> }> {
  await sql`CREATE OR REPLACE FUNCTION test_refuse_marked_text() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF strpos(NEW.text, ${sql.lit(marker)}) > 0 THEN
        RAISE EXCEPTION 'the text contains %', ${sql.lit(marker)} USING ERRCODE = 'check_violation';
      END IF;
      RETURN NEW;
    END $$`.execute(db);
  await sql`CREATE TRIGGER test_refuse_marked_text BEFORE INSERT ON messages FOR EACH ROW EXECUTE FUNCTION test_refuse_marked_text()`.execute(db);
  return {
    async stop() {
      await sql`DROP TRIGGER test_refuse_marked_text ON messages`.execute(db);
    },
  };
}
