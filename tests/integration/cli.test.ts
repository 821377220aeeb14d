/**
 * The operator CLI through its real entry point: each command runs as a child process with --json
 * against a database of its own, and the test checks both the printed object and what it changed.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { sql } from 'kysely';
import pg from 'pg';
import { createSecretBox } from '../../server/crypto/secretBox';
import { hashToken, verifyPassword } from '../../server/crypto/tokens';
import { createDb, createPool, type Db } from '../../server/db/client';
import { ensureDatabase } from '../../server/db/migrate';
import { findApiTokenByHash, findUserByEmail } from '../../server/db/repositories/users.repo';
import { loadChannelForSend } from '../../server/domain/channels/loadChannelForSend';
import { DEMO_LOGINS } from '../../server/demo/demoLogins';
import { ADMIN_DATABASE_URL, testDatabaseUrl, testRunId } from '../support/testEnv';

const ROOT = path.resolve(__dirname, '../..');
const TSX = path.join(ROOT, 'node_modules', '.bin', 'tsx');
const DATABASE_NAME = `replyline_test_${testRunId()}_cli`;
const DATABASE_URL = testDatabaseUrl(`${testRunId()}_cli`);
const ENCRYPTION_KEY = 'cli-test-encryption-key-0123456789';
const SLOW = 60_000;

/** json is stdout parsed as the one object --json promises; stdoutLines shows there was only one line. */
type CliResult = { code: number; json: any; stdoutLines: number; stderr: string };

function cli(...args: string[]): Promise<CliResult> {
  const env = { ...process.env, DATABASE_URL, ENCRYPTION_KEY, NODE_ENV: 'test' };
  return new Promise((resolve, reject) => {
    execFile(TSX, ['server/cli/main.ts', ...args, '--json'], { cwd: ROOT, env }, (err, stdout, stderr) => {
      try {
        resolve({ code: err ? Number(err.code) : 0, json: JSON.parse(stdout), stdoutLines: stdout.trim().split('\n').length, stderr });
      } catch {
        reject(new Error(`cli ${args.join(' ')} printed no JSON.\nstdout: ${stdout}\nstderr: ${stderr}`));
      }
    });
  });
}

let db: Db;

beforeAll(async () => {
  await ensureDatabase(DATABASE_URL);
  db = createDb(createPool(DATABASE_URL, 2));
});

afterAll(async () => {
  await db.destroy();
  const admin = new pg.Client({ connectionString: ADMIN_DATABASE_URL });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS "${DATABASE_NAME}" WITH (FORCE)`);
  await admin.end();
});

test(
  'when db:migrate runs twice, then the first run applies the migrations and the second none',
  async () => {
    const first = await cli('db:migrate');
    expect(first).toMatchObject({ code: 0, stdoutLines: 1, json: { database: DATABASE_NAME, databaseCreated: false } });
    expect(first.json.applied).toContain('001_foundation');
    expect(await cli('db:migrate')).toMatchObject({ code: 0, json: { applied: [] } });
  },
  SLOW,
);

test(
  'when demo:load runs on an empty database and again, then it loads once and skips the second time',
  async () => {
    const first = await cli('demo:load');
    expect(first).toMatchObject({ code: 0, stdoutLines: 1, json: { loaded: true, conversations: 300 } });
    expect(Object.keys(first.json.byStatus).sort()).toEqual(['answered', 'assigned', 'closed', 'new', 'saved']);

    const statuses = await db.selectFrom('conversations').select('status').distinct().execute();
    expect(statuses.map((s) => s.status).sort()).toEqual(['answered', 'assigned', 'closed', 'new', 'saved']);
    const sent = await db
      .selectFrom('messages')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .where('direction', '=', 'outbound')
      .where('deliveryState', '=', 'sent')
      .executeTakeFirstOrThrow();
    expect(Number(sent.n)).toBeGreaterThan(0);
    // one multi-step case across two teams: the first step done, Buchhaltung's next
    const steps = await db.selectFrom('conversationTasks').select(['number', 'state', 'teamId']).orderBy('number').execute();
    expect(steps.map((t) => [t.number, t.state, t.teamId !== null])).toEqual([
      [1, 'done', false],
      [2, 'open', true],
      [3, 'open', false],
    ]);
    // the website chat: a site with the assistant first, knowledge articles, a callback and an offline case on its channel
    const site = await db.selectFrom('chatSites').selectAll().executeTakeFirstOrThrow();
    expect(first.json.chatSiteId).toBe(site.id);
    expect([site.name, site.botEnabled, site.botMaxTurns, site.allowedOrigins.includes('http://localhost:3000')]).toEqual(['Webshop', true, 2, true]);
    const articles = await db.selectFrom('knowledgeArticles').select(['state', 'language']).execute();
    expect(articles.filter((a) => a.state === 'published').length).toBeGreaterThanOrEqual(4);
    expect(articles.map((a) => a.state)).toContain('draft');
    expect(articles.map((a) => a.language)).toContain('en');
    const callback = await db.selectFrom('callbackRequests').select(['phone', 'siteId']).executeTakeFirstOrThrow();
    expect(callback).toEqual({ phone: '+491701234567', siteId: site.id });
    const onSite = await db.selectFrom('conversations').select('id').where('channelId', '=', site.channelId).execute();
    expect(onSite).toHaveLength(2);
    const agent = await findUserByEmail(db, 'agent@demo.replyline.test');
    expect(agent && (await verifyPassword('demo-agent-2026', agent.passwordHash ?? ''))).toBe(true);

    const countConversations = async () =>
      Number(
        (
          await db
            .selectFrom('conversations')
            .select((eb) => eb.fn.countAll<string>().as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      );
    const afterFirst = await countConversations();
    expect(afterFirst).toBeGreaterThanOrEqual(300);
    const second = await cli('demo:load');
    expect(second).toMatchObject({ code: 0, json: { loaded: false } });
    expect(await countConversations()).toBe(afterFirst);
  },
  SLOW,
);

test(
  'when demo:logins runs, then it prints one login per role',
  async () => {
    const { code, json } = await cli('demo:logins');
    expect(code).toBe(0);
    expect(json.logins).toEqual(DEMO_LOGINS.map(({ role, email, password }) => ({ role, email, password })));
  },
  SLOW,
);

test(
  'when a user is created, then the row holds a password hash and the audit holds neither password nor hash',
  async () => {
    const { code, json } = await cli(
      'user:create',
      '--email',
      'Anna.Admin@Example.test',
      '--name',
      'Anna Admin',
      '--role',
      'admin',
      '--password',
      'correct horse battery',
    );
    expect(code).toBe(0);
    expect(json).toMatchObject({ email: 'anna.admin@example.test', name: 'Anna Admin', role: 'admin' });

    const row = await findUserByEmail(db, 'anna.admin@example.test');
    expect(row?.id).toBe(json.id);
    expect(await verifyPassword('correct horse battery', row?.passwordHash ?? '')).toBe(true);
    const audit = await db.selectFrom('auditEvents').selectAll().where('action', '=', 'user.created').where('subjectId', '=', json.id).execute();
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ actorType: 'system', actorLabel: 'cli' });
    const auditText = JSON.stringify(audit);
    expect(auditText).not.toContain('correct horse battery');
    expect(auditText).not.toContain(row!.passwordHash);
  },
  SLOW,
);

test(
  'when the new password is short or a common one, then user:create exits 2 with the reason and creates nobody',
  async () => {
    const short = await cli('user:create', '--email', 'weak1@example.test', '--name', 'Weak', '--role', 'agent', '--password', 'Xk9#vT2q!');
    expect(short).toMatchObject({ code: 2, stdoutLines: 1 });
    expect(short.json.error).toBe('--password: must be at least 12 characters long');

    for (const common of ['Password1234', 'qwertyuiop123', 'iloveyouiloveyou', '123456789012']) {
      const res = await cli('user:create', '--email', 'weak2@example.test', '--name', 'Weak', '--role', 'agent', '--password', common);
      expect(res).toMatchObject({ code: 2 });
      expect(res.json.error).toBe('--password: is one of the most common passwords (or one with digits or symbols added); choose another');
    }
    expect(await findUserByEmail(db, 'weak1@example.test')).toBeUndefined();
    expect(await findUserByEmail(db, 'weak2@example.test')).toBeUndefined();
    expect(
      await db
        .selectFrom('auditEvents')
        .select('seq')
        .where('action', '=', 'user.created')
        .where('actorLabel', '=', 'cli')
        .where(sql<boolean>`after->>'email' LIKE 'weak%'`)
        .execute(),
    ).toEqual([]);
  },
  SLOW,
);

test(
  'when the e-mail is already taken, then user:create fails with exit code 1 and changes nothing',
  async () => {
    const { code, json } = await cli(
      'user:create',
      '--email',
      'anna.admin@example.test',
      '--name',
      'Twin',
      '--role',
      'agent',
      '--password',
      'another password',
    );
    expect(code).toBe(1);
    expect(json.error).toMatch(/already exists/);
    expect((await findUserByEmail(db, 'anna.admin@example.test'))?.name).toBe('Anna Admin');
  },
  SLOW,
);

test(
  'when a flag is missing, unknown or invalid, then the command exits 2 and names the flag',
  async () => {
    const missing = await cli('user:create', '--email', 'x@example.test', '--name', 'X', '--role', 'agent');
    expect(missing).toMatchObject({ code: 2, stdoutLines: 1 });
    expect(missing.json.error).toContain('--password');

    const unknown = await cli('user:create', '--email', 'x@example.test', '--nmae', 'X');
    expect(unknown.code).toBe(2);
    expect(unknown.json.error).toContain('--nmae');

    const invalid = await cli('user:create', '--email', 'x@example.test', '--name', 'X', '--role', 'boss', '--password', 'long enough');
    expect(invalid.code).toBe(2);
    expect(invalid.json.error).toContain('--role');
    expect(await findUserByEmail(db, 'x@example.test')).toBeUndefined();

    expect((await cli('no:such-command')).code).toBe(2);
  },
  SLOW,
);

test(
  'when a token is created, then it is printed once, stored only as its hash and identifies the user',
  async () => {
    const { code, json } = await cli('token:create', '--email', 'anna.admin@example.test');
    expect(code).toBe(0);
    expect(json.token).toMatch(/^rlu_/);

    const stored = await db.selectFrom('apiTokens').selectAll().where('id', '=', json.tokenId).executeTakeFirstOrThrow();
    expect(stored.tokenHash).toBe(hashToken(json.token));
    expect((await findApiTokenByHash(db, hashToken(json.token)))?.email).toBe('anna.admin@example.test');
    expect(new Date(json.expiresAt).getTime()).toBe(stored.expiresAt.getTime());
    expect(stored.expiresAt.getTime() - Date.now()).toBeGreaterThan(89 * 86400_000); // 90 days by default

    const nobody = await cli('token:create', '--email', 'nobody@example.test');
    expect(nobody.code).toBe(1);
    expect(nobody.json.error).toMatch(/not found/);
  },
  SLOW,
);

test(
  'when a token is created with --days and then revoked, then both are audited and token:list shows its state; a second revoke fails',
  async () => {
    const created = await cli('token:create', '--email', 'anna.admin@example.test', '--days', '7');
    expect(created.code).toBe(0);
    const days = (new Date(created.json.expiresAt).getTime() - Date.now()) / 86400_000;
    expect(days).toBeGreaterThan(6.9);
    expect(days).toBeLessThanOrEqual(7);
    expect((await cli('token:create', '--email', 'anna.admin@example.test', '--days', '0')).code).toBe(2);

    const revoked = await cli('token:revoke', '--id', created.json.tokenId);
    expect(revoked).toMatchObject({ code: 0, json: { tokenId: created.json.tokenId } });
    const row = await db.selectFrom('apiTokens').selectAll().where('id', '=', created.json.tokenId).executeTakeFirstOrThrow();
    expect(row.revokedAt).toBeInstanceOf(Date);
    const events = await db
      .selectFrom('auditEvents')
      .select(['action', 'after', 'actorLabel'])
      .where('action', 'like', 'api_token.%')
      .where(sql<boolean>`after->>'tokenId' = ${created.json.tokenId}`)
      .orderBy('seq')
      .execute();
    expect(events).toEqual([
      { action: 'api_token.created', after: { tokenId: created.json.tokenId, expiresAt: created.json.expiresAt }, actorLabel: 'cli' },
      { action: 'api_token.revoked', after: { tokenId: created.json.tokenId, revokedAt: row.revokedAt!.toISOString() }, actorLabel: 'cli' },
    ]);

    const list = await cli('token:list', '--email', 'anna.admin@example.test');
    expect(list.json.tokens.find((t: { id: string }) => t.id === created.json.tokenId)).toMatchObject({ state: 'revoked', lastUsedAt: null });
    expect(JSON.stringify(list.json)).not.toMatch(/rlu_/);

    const again = await cli('token:revoke', '--id', created.json.tokenId);
    expect(again.code).toBe(1);
    expect(again.json.error).toMatch(/already revoked/);
    expect((await cli('token:revoke', '--id', 'not-a-uuid')).code).toBe(2);
  },
  SLOW,
);

test(
  'when an API channel is created, then its ingest token is stored as a hash and its webhook secret sealed',
  async () => {
    const { code, json } = await cli('channel:create', '--kind', 'api', '--name', 'Partner shop', '--webhook-url', 'https://partner.example.test/replyline');
    expect(code).toBe(0);
    expect(json).toMatchObject({ kind: 'api', name: 'Partner shop', webhookUrl: 'https://partner.example.test/replyline' });

    const row = await db.selectFrom('channels').selectAll().where('id', '=', json.channelId).executeTakeFirstOrThrow();
    expect(row.ingestTokenHash).toBe(hashToken(json.ingestToken));
    expect(row.credentialsEnc).not.toContain(json.webhookSecret);
    const forSend = await loadChannelForSend(db, createSecretBox(ENCRYPTION_KEY), json.channelId);
    expect(forSend?.credentials).toEqual({ webhookSecret: json.webhookSecret });

    const audit = await db.selectFrom('auditEvents').selectAll().where('action', '=', 'channel.created').where('subjectId', '=', json.channelId).execute();
    expect(audit).toHaveLength(1);
    expect(JSON.stringify(audit)).not.toContain(json.webhookSecret);
    expect(JSON.stringify(audit)).not.toContain(json.ingestToken);
  },
  SLOW,
);

test(
  'when channel:create --kind facebook and --kind instagram are run, then each channel routes its page id, its secrets are sealed and the verify token is printed once; a second channel for the page is refused',
  async () => {
    const fb = await cli(
      'channel:create',
      '--kind',
      'facebook',
      '--name',
      'Facebook Filialen',
      '--page-id',
      '104857600123',
      '--app-secret',
      'fb-app-secret-123',
      '--page-token',
      'EAAP-page-token-123',
      '--graph-base-url',
      'https://graph.example.test/v21.0',
    );
    expect(fb.code).toBe(0);
    expect(fb.json).toMatchObject({
      kind: 'facebook',
      name: 'Facebook Filialen',
      pageId: '104857600123',
      webhookUrl: expect.stringMatching(/\/webhooks\/meta$/),
    });
    expect(fb.json.verifyToken).toMatch(/^rlv_/);
    const row = await db.selectFrom('channels').selectAll().where('id', '=', fb.json.channelId).executeTakeFirstOrThrow();
    expect(row.settings).toEqual({ pageId: '104857600123', graphBaseUrl: 'https://graph.example.test/v21.0' });
    expect(row.credentialsEnc).not.toContain('EAAP-page-token-123');
    const forSend = await loadChannelForSend(db, createSecretBox(ENCRYPTION_KEY), fb.json.channelId);
    expect(forSend?.credentials).toEqual({ appSecret: 'fb-app-secret-123', pageToken: 'EAAP-page-token-123', verifyToken: fb.json.verifyToken });

    const ig = await cli('channel:create', '--kind', 'instagram', '--name', 'Instagram', '--page-id', '178414000', '--app-secret', 's', '--page-token', 't');
    expect(ig.code).toBe(0);
    expect(ig.json).toMatchObject({ kind: 'instagram', pageId: '178414000' });
    const again = await cli('channel:create', '--kind', 'facebook', '--name', 'Doppelt', '--page-id', '104857600123', '--app-secret', 's', '--page-token', 't');
    expect(again.code).not.toBe(0);
    expect(again.json.error).toContain('already exists');
    const missing = await cli('channel:create', '--kind', 'instagram', '--name', 'Ohne Token', '--page-id', '178414001', '--app-secret', 's');
    expect(missing.code).not.toBe(0);
    expect(JSON.stringify(missing.json)).toContain('pageToken');
  },
  SLOW,
);

test(
  'when a channel kind the CLI does not know, an X channel without its token, or a non-http webhook URL is given, then channel:create exits 2',
  async () => {
    const kind = await cli('channel:create', '--kind', 'fax', '--name', 'Fax line');
    expect(kind.code).toBe(2);
    expect(kind.json.error).toContain('--kind');
    const x = await cli('channel:create', '--kind', 'x', '--name', 'X account');
    expect(x.code).toBe(2);
    expect(x.json.error).toMatch(/--bearer-token is required/);

    const url = await cli('channel:create', '--kind', 'api', '--name', 'Bad hook', '--webhook-url', 'ftp://example.test/hook');
    expect(url.code).toBe(2);
    expect(url.json.error).toContain('--webhook-url');
  },
  SLOW,
);

test(
  'when the audit trail is intact, then audit:verify says so; when an event was altered, then it exits 1 naming it',
  async () => {
    const intact = await cli('audit:verify');
    expect(intact).toMatchObject({ code: 0, json: { ok: true } });
    expect(intact.json.events).toBeGreaterThan(300);

    // Only a superuser who switches the guard off can alter an event; the chain still gives it away.
    const admin = new pg.Client({ connectionString: DATABASE_URL });
    await admin.connect();
    await admin.query('ALTER TABLE audit_events DISABLE TRIGGER audit_events_append_only');
    await admin.query(`UPDATE audit_events SET actor_label = 'someone else' WHERE seq = 7`);
    await admin.query('ALTER TABLE audit_events ENABLE TRIGGER audit_events_append_only');
    await admin.end();

    const broken = await cli('audit:verify');
    expect(broken).toMatchObject({ code: 1, json: { ok: false, brokenAtSeq: '7' } });
    expect(broken.json.problem).toMatch(/altered/);
  },
  SLOW,
);

test(
  "when the report rollups were emptied behind the triggers' back, then reports:rebuild brings back what the messages say",
  async () => {
    const totals = async () =>
      (
        await sql<{ n: string; inbound: string | null; answered: string | null }>`
    SELECT count(*) AS n, sum(inbound) AS inbound, sum(within + late) AS answered FROM report_post_hours`.execute(db)
      ).rows[0]!;
    const admin = new pg.Client({ connectionString: DATABASE_URL });
    await admin.connect();
    await admin.query('SELECT report_fold()'); // what the worker does every minute
    const before = await totals();
    expect(Number(before.n)).toBeGreaterThan(0);
    await admin.query('TRUNCATE report_post_hours, report_post_days, report_agent_days');
    await admin.end();
    expect(Number((await totals()).n)).toBe(0);
    const rebuilt = await cli('reports:rebuild');
    expect(rebuilt).toMatchObject({ code: 0, json: { seconds: expect.any(Number) } });
    expect(await totals()).toEqual(before);
  },
  SLOW,
);
