/**
 * A private Dovecot IMAP server for the e-mail tests: generated config in a temp dir, 127.0.0.1 on a
 * free port, plaintext auth, passwd-file users, maildir in the temp dir, no SSL. Mails are delivered
 * by IMAP APPEND (imapflow).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, chownSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ImapFlow } from 'imapflow';

export const DOVECOT = '/usr/sbin/dovecot';
/** Mail files belong to nobody: Dovecot refuses to run mail processes as root. */
const MAIL_UID = 65534;

export type Dovecot = { host: string; port: number; user: string; password: string; append(raw: string): Promise<void>; stop(): Promise<void> };

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

export async function startDovecot(user = 'support@example.test', password = 'mail-secret'): Promise<Dovecot> {
  const dir = mkdtempSync(path.join(tmpdir(), 'rl-dovecot-'));
  chmodSync(dir, 0o755); // Dovecot's auth and mail processes run as other users
  for (const d of ['run', 'state', 'home']) mkdirSync(path.join(dir, d));
  chownSync(path.join(dir, 'home'), MAIL_UID, MAIL_UID);
  const port = await freePort();
  writeFileSync(path.join(dir, 'users'), `${user}:{PLAIN}${password}\n`);
  writeFileSync(
    path.join(dir, 'dovecot.conf'),
    [
      `base_dir = ${dir}/run`,
      `state_dir = ${dir}/state`,
      `log_path = ${dir}/dovecot.log`,
      'protocols = imap',
      'listen = 127.0.0.1',
      'ssl = no',
      'disable_plaintext_auth = no',
      'auth_mechanisms = plain login',
      `mail_location = maildir:${dir}/home/%u/Maildir`,
      `passdb {\n  driver = passwd-file\n  args = scheme=PLAIN username_format=%u ${dir}/users\n}`,
      `userdb {\n  driver = static\n  args = uid=${MAIL_UID} gid=${MAIL_UID} home=${dir}/home/%u\n}`,
      `service imap-login {\n  inet_listener imap {\n    address = 127.0.0.1\n    port = ${port}\n  }\n  inet_listener imaps {\n    port = 0\n  }\n}`,
    ].join('\n'),
  );
  const child: ChildProcess = spawn(DOVECOT, ['-F', '-c', path.join(dir, 'dovecot.conf')], { stdio: 'ignore' });
  const connect = () => new ImapFlow({ host: '127.0.0.1', port, secure: false, logger: false, auth: { user, pass: password } });
  const deadline = Date.now() + 15_000;
  for (;;) {
    const c = connect();
    c.on('error', () => undefined);
    try {
      await c.connect();
      await c.logout();
      break;
    } catch (err) {
      if (Date.now() > deadline) {
        child.kill('SIGTERM');
        throw new Error(`dovecot did not start: ${(err as Error).message}`);
      }
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  return {
    host: '127.0.0.1',
    port,
    user,
    password,
    async append(raw) {
      const c = connect();
      c.on('error', () => undefined);
      await c.connect();
      await c.append('INBOX', raw);
      await c.logout();
    },
    async stop() {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
