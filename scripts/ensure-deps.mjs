// Installs what a fresh machine lacks before anything else runs: npm packages (from the lock file)
// and, for the browser tests, Debian's Chromium. Plain Node, no dependencies.
import { execFileSync } from 'node:child_process';
import { existsSync, lstatSync, statSync } from 'node:fs';

const run = (cmd, args) => execFileSync(cmd, args, { stdio: 'inherit' });

export function ensureNodeModules() {
  // A node_modules linked from another checkout (a git worktree) is that checkout's to install: `npm ci`
  // here would empty the linked directory for everyone sharing it, then install into this one.
  if (existsSync('node_modules') && lstatSync('node_modules').isSymbolicLink()) return;
  const marker = 'node_modules/.package-lock.json';
  if (existsSync(marker) && statSync(marker).mtimeMs >= statSync('package-lock.json').mtimeMs) return;
  // `npm ci`: exactly the lock file, which lists every platform's optional binaries (@swc/core, Biome, esbuild …),
  // so nothing tracked changes. After adding a package, check that the lock still lists them all.
  console.log('Installing npm packages from package-lock.json …');
  run('npm', ['ci', '--no-audit', '--no-fund']);
}

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export function ensureChromium() {
  if (existsSync(CHROMIUM)) return;
  if (process.getuid?.() !== 0) {
    throw new Error(`Chromium is missing at ${CHROMIUM}. Install it with: sudo apt-get install -y chromium`);
  }
  console.log('Installing Chromium from Debian for the browser tests …');
  run('apt-get', ['update', '-qq']);
  run('apt-get', ['install', '-y', '-qq', 'chromium']);
}

export const DOVECOT = '/usr/sbin/dovecot';

/** The e-mail tests start a private Dovecot IMAP server on loopback (tests/support/dovecot.ts). */
export function ensureDovecot() {
  if (existsSync(DOVECOT)) return;
  if (process.getuid?.() !== 0) {
    throw new Error(`Dovecot is missing at ${DOVECOT}. Install it with: sudo apt-get install -y dovecot-imapd`);
  }
  console.log('Installing Dovecot (IMAP) from Debian for the e-mail tests …');
  run('apt-get', ['update', '-qq']);
  run('apt-get', ['install', '-y', '-qq', 'dovecot-imapd']);
}
