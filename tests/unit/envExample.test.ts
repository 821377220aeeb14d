/** .env.example lists exactly the variables server/config.ts reads, each with the default config.ts applies. */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { loadConfig } from '../../server/config';

const ROOT = path.resolve(__dirname, '../..');
const example = readFileSync(path.join(ROOT, '.env.example'), 'utf8');
const configSource = readFileSync(path.join(ROOT, 'server/config.ts'), 'utf8');

/** `NAME=value` lines, and `# NAME=` lines for variables without a usable default. */
const listed = new Map([...example.matchAll(/^#? ?([A-Z][A-Z0-9_]+)=(.*)$/gm)].map((m) => [m[1]!, m[2]!]));
const read = [...configSource.slice(configSource.indexOf('z.object({'), configSource.indexOf('});')).matchAll(/^\s+([A-Z][A-Z0-9_]+):/gm)].map((m) => m[1]!);

describe('.env.example', () => {
  it('when config.ts reads a variable, then .env.example lists it, and nothing else', () => {
    expect(read.length).toBeGreaterThan(8); // the scan itself works
    expect([...listed.keys()].sort()).toEqual([...read].sort());
  });

  it('when the active lines of .env.example are the whole environment, then the config equals the defaults', () => {
    const active = Object.fromEntries([...example.matchAll(/^([A-Z][A-Z0-9_]+)=(.*)$/gm)].map((m) => [m[1]!, m[2]!]));
    expect(loadConfig(active)).toEqual(loadConfig({}));
  });

  it('when product code reads the environment, then only server/config.ts does', () => {
    const files = ['server', 'connectors', 'jobs'].flatMap((dir) =>
      readdirSync(path.join(ROOT, dir), { recursive: true, withFileTypes: true })
        .filter((e) => e.isFile() && e.name.endsWith('.ts'))
        .map((e) => path.relative(ROOT, path.join(e.parentPath, e.name))),
    );
    expect(files.length).toBeGreaterThan(100);
    const readers = files.filter((f) => /\bprocess\s*\.\s*env\b|process\[['"]env['"]\]/.test(readFileSync(path.join(ROOT, f), 'utf8')));
    expect(readers).toEqual(['server/config.ts']);
  });
});
