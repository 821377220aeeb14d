/**
 * A statement the console runs on every page, built and compiled by Kysely once per process and run with each call's
 * values. Building a statement makes its tree, the CamelCase plugin copies that tree to rename every identifier, and
 * the compiler prints it: 40–90 µs for one of the conversation page's statements, which runs a dozen of them (README →
 * Benchmarks, "Statements compiled once").
 *
 * The statement is built once with a mark in place of each value; the compiled parameters that are marks are then the
 * slots each call's values go into. So a statement's shape must not depend on its values: a value the builder looks
 * at, transforms (`'%' + q`) or prints into the text is refused when the statement is first compiled, never silently
 * frozen. Values are strings (ids); a constant the builder writes itself stays a parameter as compiled.
 */
import { type Compilable, type CompiledQuery, createQueryId, type InferResult } from 'kysely';
import type { DbOrTx } from './client';

type Values = Record<string, string>;
type Compiled = { query: CompiledQuery; slots: (string | null)[] };

const MARK = '\u0000replyline-value:';

/** `build` makes the statement from a database handle and named values; the result runs it on `db` (a transaction too) with `values`. */
export function compiledOnce<V extends Values, C extends Compilable<unknown>>(build: (db: DbOrTx, values: V) => C) {
  let compiled: Compiled | undefined;
  return async (db: DbOrTx, values: V): Promise<InferResult<C>> => {
    compiled ??= compileWithMarks(db, build);
    return run(db, compiled, values);
  };
}

/** Shapes of one statement kept compiled, at most; a statement of a further shape is built and compiled on every call. */
const SHAPES_KEPT = 64;

/**
 * The same for a statement whose text also depends on a few choices (which filters are set, the order, the page
 * size): `build` gets them as `shape`, a plain value, and one statement is compiled per distinct shape.
 */
export function compiledPerShape<S, V extends Values, C extends Compilable<unknown>>(build: (db: DbOrTx, values: V, shape: S) => C) {
  const compiled = new Map<string, Compiled>();
  return async (db: DbOrTx, shape: S, values: V): Promise<InferResult<C>> => {
    const key = JSON.stringify(shape);
    let statement = compiled.get(key);
    if (!statement) {
      if (compiled.size >= SHAPES_KEPT) return (await db.executeQuery(build(db, values, shape))).rows as InferResult<C>;
      statement = compileWithMarks(db, (d, v: V) => build(d, v, shape));
      compiled.set(key, statement);
    }
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
      return MARK + name;
    },
  });
  const query = build(db, marks).compile();
  if (query.sql.includes(MARK)) throw new Error(`a value was printed into the statement's text: ${query.sql}`);
  const slots = query.parameters.map((p) => {
    if (typeof p !== 'string' || !p.includes(MARK)) return null;
    const name = p.slice(MARK.length);
    if (!p.startsWith(MARK) || !read.has(name)) throw new Error(`a value was transformed before it became a parameter: ${JSON.stringify(p)}`);
    return name;
  });
  for (const name of read) {
    if (!slots.includes(name)) throw new Error(`the value "${name}" shaped the statement instead of being a parameter of it`);
  }
  return { query, slots };
}
