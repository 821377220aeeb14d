/**
 * The console's EJS templates, rendered without `with`. EJS wraps a template in `with (locals) {…}` unless told
 * otherwise, so every name a template reads (`t`, `conversations`, `c`, …) is looked up at run time through an
 * object of about a hundred entries, on every use: the inbox's 25 rows, rendered alone in process, took about
 * 400 µs that way and 150 µs with their names read from `locals` once (EJS's `destructuredLocals`).
 *
 * Which names a template reads is found when it is first compiled: EJS compiles it, acorn parses the compiled
 * function, and every identifier it uses that no function, block or loop of the template declares and that is
 * not a JavaScript built-in becomes a local (one that is absent reads as `undefined`, as `locals.x` does, where `with`
 * threw). An include gets its parent's locals object (with the include's own data on top, as a new object) instead
 * of a copy per include, so a template may not assign to a name it reads from its locals (refused when compiled).
 * Templates are compiled once per process; they change with a restart, as before.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'acorn';
import ejs from 'ejs';

type Locals = Record<string, unknown>;
type AstNode = { type: string; [key: string]: unknown };

/** The compiled function's own names: its parameters and what EJS declares in it. */
const EJS_OWN = new Set(['locals', 'escapeFn', 'include', 'rethrow', '__output', '__append', '__line', '__lines', '__filename', '__locals']);

/**
 * The globals a template may read: JavaScript's own and the URL classes. A fixed list, not `globalThis`, whose
 * names vary with the host: a local named `test`, `name` or `event` is a local under Jest and in a browser too.
 */
const BUILT_INS = new Set(
  'globalThis Infinity NaN undefined isFinite isNaN parseFloat parseInt decodeURI decodeURIComponent encodeURI encodeURIComponent Array ArrayBuffer BigInt Boolean DataView Date Error Intl JSON Map Math Number Object Promise RangeError RegExp Set String Symbol TypeError URL URLSearchParams WeakMap WeakSet'.split(
    ' ',
  ),
);

export type EngineOptions = { rmWhitespace: boolean };

/** An Express view engine (`app.engine('ejs', …)`) for the templates under `viewsDir`. */
export function createViewEngine(viewsDir: string, options: EngineOptions) {
  const compiled = new Map<string, ejs.ClientFunction>();
  const included = new Map<string, string>();
  const templateOf = (file: string): ejs.ClientFunction => {
    let fn = compiled.get(file);
    if (!fn) {
      fn = compileTemplate(file, options);
      compiled.set(file, fn);
    }
    return fn;
  };
  const includedFile = (name: string, from: string): string => {
    let file = included.get(name);
    if (!file) {
      if (!name.startsWith('/')) throw new Error(`${path.relative(viewsDir, from)}: include('${name}') must name its file from the views folder ('/…')`);
      file = path.join(viewsDir, path.extname(name) ? name : `${name}.ejs`);
      included.set(name, file);
    }
    return file;
  };
  const render = (file: string, locals: Locals): string =>
    templateOf(file)(locals, ejs.escapeXML, (name, data) => render(includedFile(name, file), data ? { ...locals, ...data } : locals));
  return (file: string, locals: object, callback: (err: Error | null, html?: string) => void): void => {
    let html: string;
    try {
      html = render(file, locals as Locals);
    } catch (err) {
      callback(err as Error);
      return;
    }
    callback(null, html);
  };
}

/**
 * A template compiled with the names it reads taken from its locals. One that assigns to such a name (or to
 * `locals.x`) is refused: under `with` that changed the locals its includes saw, here it would change nothing.
 */
export function compileTemplate(file: string, options: EngineOptions): ejs.ClientFunction {
  const text = readFileSync(file, 'utf8');
  return ejs.compile(text, { filename: file, rmWhitespace: options.rmWhitespace, client: true, _with: false, destructuredLocals: localsOf(text, file) });
}

/**
 * The names a template reads from its locals: what its compiled function (compiled once more, without them, to
 * be read) reads from outside itself but the built-ins.
 */
export function localsOf(text: string, file = 'a template'): string[] {
  const source = ejs.compile(text, { filename: file, client: true, _with: false }).toString();
  const program = parse(`(${source})`, { ecmaVersion: 'latest' }) as unknown as { body: { expression: { body: AstNode } }[] };
  const body = program.body[0]!.expression.body;
  const read = new Set<string>();
  const written = new Set<string>();
  visit(body, new Set([...EJS_OWN, ...declaredIn(body)]), (name, writes) => {
    if (BUILT_INS.has(name)) return;
    read.add(name);
    if (writes) written.add(name);
  });
  if (written.size) throw new Error(`${file} assigns to ${[...written].join(', ')}, read from its locals: give the value a name of its own (const, let)`);
  return [...read].sort();
}

/** What a function body, block or loop declares for the code inside it (EJS's try block is a block like any other). */
function declaredIn(node: AstNode): string[] {
  const statements = node.type === 'BlockStatement' ? (node.body as AstNode[]) : ([node.init, node.left].filter(Boolean) as AstNode[]);
  return statements.flatMap((s) => {
    if (s.type === 'VariableDeclaration') return (s.declarations as AstNode[]).flatMap((d) => bindingNames(d.id as AstNode));
    if ((s.type === 'FunctionDeclaration' || s.type === 'ClassDeclaration') && s.id) return [(s.id as { name: string }).name];
    return [];
  });
}

/** The names a declaration or assignment target binds (`a`, `{ a, b: c = d }` → a, c; `x.y` → none). */
function bindingNames(pattern: AstNode | null): string[] {
  if (!pattern) return [];
  switch (pattern.type) {
    case 'Identifier':
      return [pattern.name as string];
    case 'ObjectPattern':
      return (pattern.properties as AstNode[]).flatMap((p) => bindingNames((p.type === 'RestElement' ? p.argument : p.value) as AstNode));
    case 'ArrayPattern':
      return (pattern.elements as (AstNode | null)[]).flatMap(bindingNames);
    case 'AssignmentPattern':
      return bindingNames(pattern.left as AstNode);
    case 'RestElement':
      return bindingNames(pattern.argument as AstNode);
    default:
      return [];
  }
}

type NameUse = (name: string, writes: boolean) => void;

/** Blocks and loops: what they declare is theirs. */
const SCOPES = new Set(['BlockStatement', 'ForStatement', 'ForOfStatement', 'ForInStatement']);

/**
 * Calls `use` for each identifier of the tree not in `hidden` (nor a property name after a dot, an object key or a
 * label), saying whether it is assigned to; `locals.x = …` counts as assigning to `locals`.
 */
function visit(node: unknown, hidden: Set<string>, use: NameUse): void {
  if (Array.isArray(node)) {
    for (const child of node) visit(child, hidden, use);
    return;
  }
  if (!node || typeof node !== 'object') return;
  const n = node as AstNode;
  const inside = (names: string[]) => (names.length ? new Set([...hidden, ...names]) : hidden);
  const assigned = (target: AstNode) => {
    for (const name of bindingNames(target)) if (!hidden.has(name)) use(name, true);
    const object = target.type === 'MemberExpression' ? (target.object as AstNode) : null;
    if (object?.type === 'Identifier' && object.name === 'locals') use('locals', true);
  };
  switch (n.type) {
    case 'Identifier':
      if (!hidden.has(n.name as string)) use(n.name as string, false);
      return;
    case 'MemberExpression':
      visit(n.object, hidden, use);
      if (n.computed) visit(n.property, hidden, use);
      return;
    case 'Property':
    case 'PropertyDefinition':
    case 'MethodDefinition':
      if (n.computed) visit(n.key, hidden, use);
      visit(n.value, hidden, use);
      return;
    case 'AssignmentExpression':
      assigned(n.left as AstNode);
      break;
    case 'UpdateExpression':
      assigned(n.argument as AstNode);
      break;
    case 'LabeledStatement':
      visit(n.body, hidden, use);
      return;
    case 'BreakStatement':
    case 'ContinueStatement':
    case 'MetaProperty':
      return;
    case 'FunctionDeclaration':
    case 'FunctionExpression':
    case 'ArrowFunctionExpression': {
      const own = [...(n.params as AstNode[]).flatMap(bindingNames), ...(n.id ? [(n.id as { name: string }).name] : [])];
      const body = n.body as AstNode;
      const scope = inside([...own, ...(body.type === 'BlockStatement' ? declaredIn(body) : [])]);
      visit(n.params, scope, use); // default values read names
      visit(body, scope, use);
      return;
    }
    case 'ForOfStatement':
    case 'ForInStatement':
      if ((n.left as AstNode).type !== 'VariableDeclaration') assigned(n.left as AstNode);
      break;
    case 'CatchClause':
      visit(n.body, inside(bindingNames(n.param as AstNode | null)), use);
      return;
  }
  const scope = SCOPES.has(n.type) ? inside(declaredIn(n)) : hidden;
  for (const [key, value] of Object.entries(n)) if (key !== 'type') visit(value, scope, use);
}
