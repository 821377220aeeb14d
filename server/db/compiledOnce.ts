/**
 * A statement the console runs on every page, built and compiled by Kysely once per process and run with each call's
 * values. Building a statement makes its tree, the CamelCase plugin copies that tree to rename every identifier, and
 * the compiler prints it: 40–90 µs for one of the conversation page's statements, which runs a dozen of them (README →
 * Benchmarks, "Statements compiled once").
 *
 * The statement is built once with a mark in place of each value; the compiled parameters that are marks are then the
 * slots each call's values go into. So a statement's text must not depend on its values. What can be caught is refused
 * when the statement is first compiled, never silently frozen in: a value printed into the text (`sql.lit`), changed on
 * its way (`'%' + q`, `trim()`, `toLowerCase()`: the mark has spaces at both ends, capitals, `%` and `_`), or read
 * without becoming a parameter. A decision on a value (`v.id === 'none' ? … : …`) cannot be seen: such a choice
 * belongs in the shape (`compiledPerShape`). Values are strings; a constant the builder writes stays as compiled.
 */
import { type Compilable, type CompiledQuery, createQueryId, type InferResult } from 'kysely';
import type { DbOrTx } from './client';

type Values = Record<string, string>;
type Compiled = { query: CompiledQuery; slots: (string | null)[] };

const MARK_START = ' \u0000Replyline-Value %_ ';
const MARK_END = ' \u0000 ';

/** `build` makes the statement from a database handle and named values; the result runs it on `db` (a transaction too) with `values`. */
export function compiledOnce<V extends Values, C extends Compilable<unknown>>(build: (db: DbOrTx, values: V) => C) {
  let compiled: Compiled | undefined;
  return async (db: DbOrTx, values: V): Promise<InferResult<C>> => {
    compiled ??= compileWithMarks(db, build);
    return run(db, compiled, values);
  };
}

/** Shapes of one statement kept compiled, at most; the one used longest ago makes room for a new one. */
const SHAPES_KEPT = 64;

/**
 * The same for a statement whose text also depends on a few choices (which filters are set, the order, the page
 * size): `build` gets them as `shape`, a plain value, and one statement is compiled per distinct shape.
 */
export function compiledPerShape<S, V extends Values, C extends Compilable<unknown>>(build: (db: DbOrTx, values: V, shape: S) => C) {
  const compiled = new Map<string, Compiled>();
  return async (db: DbOrTx, shape: S, values: V): Promise<InferResult<C>> => {
    const key = JSON.stringify(shape);
    const statement = compiled.get(key) ?? compileWithMarks(db, (d, v: V) => build(d, v, shape));
    // a Map keeps its keys in the order they were set: the first one is the one used longest ago
    compiled.delete(key);
    compiled.set(key, statement);
    if (compiled.size > SHAPES_KEPT) compiled.delete(compiled.keys().next().value!);
    return run(db, statement, values);
  };
}

async function run<V extends Values, R>(db: DbOrTx, { query, slots }: Compiled, values: V): Promise<R> {
  const parameters = query.parameters.map((given, i) => {
    const name = slots[i];
    return typeof name === 'string' ? values[name] : given;
  });
  const result = await db.executeQuery({ sql: query.sql, query: query.query, parameters, queryId: createQueryId() });
  return result.rows as R;
}

function compileWithMarks<V extends Values>(db: DbOrTx, build: (db: DbOrTx, values: V) => Compilable<unknown>): Compiled {
  const read = new Set<string>();
  const marks = new Proxy({} as V, {
    get: (_, name) => {
      if (typeof name !== 'string') return undefined;
      read.add(name);
      return MARK_START + name + MARK_END;
    },
  });
  const query = build(db, marks).compile();
  if (query.sql.includes('\u0000')) throw new Error(`a value was printed into the statement's text: ${query.sql}`);
  const slots = query.parameters.map((p) => {
    if (typeof p !== 'string' || !p.includes('\u0000')) return null;
    const name = p.slice(MARK_START.length, -MARK_END.length);
    if (p !== MARK_START + name + MARK_END || !read.has(name)) throw new Error(`a value was changed before it became a parameter: ${JSON.stringify(p)}`);
    return name;
  });
  for (const name of read) {
    if (!slots.includes(name)) throw new Error(`the value "${name}" shaped the statement instead of being a parameter of it`);
  }
  return { query, slots };
}
