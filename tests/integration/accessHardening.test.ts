/**
 * Access hardening through the real HTTP entry points: API tokens that expire and can be revoked,
 * no session rows for visitors, a cap on live streams, no caching of customer data, bidi-safe names.
 */
import request from 'supertest';
import { systemActor } from '../../server/domain/audit/actor';
import { revokeApiToken } from '../../server/domain/users/revokeApiToken';
import { makeUser } from '../factories/factories';
import { startTestApp, type TestApp } from '../support/testApp';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(async () => {
  await app.stop();
});

const tokensOf = (userId: string) => app.services.db.selectFrom('apiTokens').selectAll().where('userId', '=', userId).execute();
const api = (token: string) => request(app.url).get('/api/v1/conversations').auth(token, { type: 'bearer' });

describe('API tokens', () => {
  it('when a token is used, then last_used_at is written, and not again on the next request within the throttle', async () => {
    const user = await makeUser(app.services.db);
    const [before] = await tokensOf(user.id);
    expect(before!.lastUsedAt).toBeNull();
    expect((await api(user.token)).status).toBe(200);
    const [first] = await tokensOf(user.id);
    expect(first!.lastUsedAt).toBeInstanceOf(Date);
    expect((await api(user.token)).status).toBe(200);
    const [second] = await tokensOf(user.id);
    expect(second!.lastUsedAt).toEqual(first!.lastUsedAt);
  });

  it('when a token is revoked, then it answers 401 at once, and the revocation is audited in the same transaction', async () => {
    const user = await makeUser(app.services.db);
    expect((await api(user.token)).status).toBe(200);
    const [row] = await tokensOf(user.id);
    await app.services.db.transaction().execute((tx) => revokeApiToken(tx, row!.id, systemActor('test')));
    const res = await api(user.token);
    expect(res.status).toBe(401);
    expect(res.body.error).toBe('This API token was revoked');
    const events = await app.services.db.selectFrom('auditEvents').selectAll().where('action', '=', 'api_token.revoked').where('subjectId', '=', user.id).execute();
    expect(events).toHaveLength(1);
    expect(events[0]!.after).toMatchObject({ tokenId: row!.id });
  });

  it('when a token is past its expiry, then it answers 401', async () => {
    const user = await makeUser(app.services.db);
    const [row] = await tokensOf(user.id);
    expect(row!.expiresAt.getTime()).toBeGreaterThan(Date.now() + 89 * 86400_000);
    await app.services.db.updateTable('apiTokens').set({ createdAt: new Date(Date.now() - 2 * 86400_000), expiresAt: new Date(Date.now() - 1000) }).where('id', '=', row!.id).execute();
    const res = await api(user.token);
    expect(res.status).toBe(401);
    expect(res.body.error).toBe('This API token has expired');
  });
});
