/** The console's templates, for the tests that read them all. */
import { readdirSync } from 'node:fs';
import path from 'node:path';

export const VIEWS = path.join(__dirname, '..', '..', 'views');

/** Every .ejs file under views/, with its full path. */
export const viewFiles = () =>
  readdirSync(VIEWS, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && e.name.endsWith('.ejs'))
    .map((e) => path.join(e.parentPath, e.name));
