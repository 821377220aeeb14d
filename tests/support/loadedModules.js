// Preloaded into a server process by tests/integration/roleModules.test.ts (NODE_OPTIONS=--require): when the
// process exits, it writes the files it loaded, one per line, to the file named by LOADED_MODULES_FILE.
const { writeFileSync } = require('node:fs');

process.once('exit', () => writeFileSync(process.env.LOADED_MODULES_FILE, Object.keys(require.cache).join('\n')));
