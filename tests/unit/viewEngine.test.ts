/** The view engine renders as EJS's own `with` rendering does, reading each template's names from its locals. */
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import vm from 'node:vm';
import os from 'node:os';
import path from 'node:path';
import ejs from 'ejs';
import { compileTemplate, createViewEngine, localsOf } from '../../server/viewEngine';
import { viewFiles as templates } from '../support/views';

function render(dir: string, name: string, locals: object): Promise<string> {
  const engine = createViewEngine(dir, { rmWhitespace: true });
  return new Promise((resolve, reject) => engine(path.join(dir, name), locals, (err, html) => (err ? reject(err) : resolve(html!))));
}

describe('view engine', () => {
  it('when a template reads names, then those it does not declare itself are its locals — not properties, keys, globals or its own loop and callback variables', () => {
    const names = localsOf(`<% const shown = rows.slice(0, limit); %>
      <% for (const row of shown) { %><%= t('row', { name: row.name, total }) %><%= fmt(row.at) %><% } %>
      <%= items.map((item) => item.label + suffix).join(', ') %> <%= JSON.stringify(locals.extra) %> <%= Math.max(n, 1) %>
      <% try { } catch (err) { %><%= err.message %><% } %>`);
    expect(names).toEqual(['fmt', 'items', 'limit', 'n', 'rows', 'suffix', 't', 'total']);
    // default values are read, the names they default are declared
    expect(localsOf(`<% const { a = fallback } = pair; const f = (x, y = dflt) => x + y + a; %><%= f(1) %>`)).toEqual(['dflt', 'fallback', 'pair']);
    // what a try block inside a block declares is the try block's own: `x` after it is a local
    expect(localsOf(`<% if (a) { try { const x = 1; } catch (e) {} %><%= x %><% } %>`)).toEqual(['a', 'x']);
  });

  it('when a template assigns to a name it reads from its locals, then it is refused when compiled — its own counters are fine', () => {
    expect(() => localsOf(`<% title = 'x' %><%= title %>`)).toThrow('assigns to title, read from its locals');
    expect(() => localsOf(`<% for (item of items) { %><%= item %><% } %>`)).toThrow('assigns to item');
    expect(() => localsOf(`<% locals.note = 'x' %>`)).toThrow('assigns to locals');
    expect(localsOf(`<% let h = 0; for (const r of rows) { h++ %><%= h %><% } %>`)).toEqual(['rows']);
  });

  it('when the views read globals, then only built-ins: any other JavaScript global would be read from the locals', () => {
    const javaScriptGlobals = new Set(vm.runInNewContext('Object.getOwnPropertyNames(globalThis)') as string[]);
    const misread = templates().flatMap((file) =>
      localsOf(readFileSync(file, 'utf8'))
        .filter((name) => javaScriptGlobals.has(name))
        .map((name) => `${file}: ${name}`),
    );
    expect(misread).toEqual([]);
  });

  it('when every view is compiled, then it compiles', () => {
    const files = templates();
    for (const file of files) expect(() => compileTemplate(file, { rmWhitespace: true })).not.toThrow();
    expect(files.length).toBeGreaterThan(100);
  });

  it("when a page includes partials with and without data, then the HTML is EJS's own, the include's data stays its own, and an absent local reads as nothing", async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'views-'));
    mkdirSync(path.join(dir, 'partials'));
    writeFileSync(
      path.join(dir, 'page.ejs'),
      `<h1><%= title %></h1>
        <% for (const p of people) { %><%- include('/partials/person', { person: p, title: 'inner' }) %><% } %>
        <%- include('/partials/footer') %><%= title %><%= typeof missing === 'undefined' ? '' : 'x' %>`,
    );
    writeFileSync(path.join(dir, 'partials', 'person.ejs'), `<li title="<%= title %>"><%= person.name %> <%= greet(person) %></li>`);
    writeFileSync(path.join(dir, 'partials', 'footer.ejs'), `<footer><%= title %> · <%= locals.note ?? '–' %></footer>`);
    const locals = { title: 'Posteingang <&>', people: [{ name: 'Ärger & Co' }, { name: '<b>Bob</b>' }], greet: (p: { name: string }) => `Hallo ${p.name}` };
    const expected = await ejs.renderFile(path.join(dir, 'page.ejs'), { ...locals }, { rmWhitespace: true, root: dir });
    expect(await render(dir, 'page.ejs', locals)).toBe(expected);
    expect(expected).toContain('title="inner"');
    expect(expected).toContain('&lt;b&gt;Bob&lt;/b&gt;');
    expect(await render(dir, 'partials/footer.ejs', { title: 'T' })).toBe('<footer>T · –</footer>');
    // a local named like a global of the host (Jest's `test`, Node's `process`) is still the local
    writeFileSync(path.join(dir, 'host.ejs'), `<%= test %>/<%= process %>/<%= Math.max(1, 2) %>`);
    expect(await render(dir, 'host.ejs', { test: 'Test-Nachricht', process: 'Ablauf' })).toBe('Test-Nachricht/Ablauf/2');
  });

  it('when an include names its file relative to the template, then rendering fails naming the template and the include', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'views-'));
    writeFileSync(path.join(dir, 'page.ejs'), `<%- include('partials/x') %>`);
    await expect(render(dir, 'page.ejs', {})).rejects.toThrow("page.ejs: include('partials/x') must name its file from the views folder");
  });
});
