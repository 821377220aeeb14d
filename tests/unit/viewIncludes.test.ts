/** Every include in the views names its file from the views folder (resolved without a disk look-up on each render) and that file exists. */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { VIEWS, viewFiles as templates } from '../support/views';

/** Each `include('…')` of a template: the name, and whether more is added to it (`include('/a/connect-' + kind)`). */
const includesOf = (file: string) =>
  [...readFileSync(file, 'utf8').matchAll(/include\((['"])([^'"]*)\1\s*(\+)?/g)].map((m) => ({ name: m[2]!, prefix: m[3] === '+' }));

describe('view includes', () => {
  it('when a template includes another, then it names it from the views folder and the file is there', () => {
    const wrong: string[] = [];
    let seen = 0;
    for (const file of templates()) {
      for (const { name, prefix } of includesOf(file)) {
        seen += 1;
        const where = `${path.relative(VIEWS, file)}: ${name}`;
        if (!name.startsWith('/')) wrong.push(`${where} (relative)`);
        else if (prefix) {
          const dir = path.join(VIEWS, path.dirname(name));
          if (!readdirSync(dir).some((f) => f.startsWith(path.basename(name)) && f.endsWith('.ejs'))) wrong.push(`${where} (no such file)`);
        } else if (!existsSync(path.join(VIEWS, `${name}.ejs`))) wrong.push(`${where} (no such file)`);
      }
    }
    expect(wrong).toEqual([]);
    expect(seen).toBeGreaterThan(100);
  });
});
