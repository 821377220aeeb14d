/** Users and their API tokens. */
import type { DbOrTx } from '../client';
import type { Locale, Role } from '../schema';

export function findUserByEmail(db: DbOrTx, email: string) {
  return db.selectFrom('users').selectAll().where('email', '=', email.toLowerCase()).executeTakeFirst();
}

export function findUserById(db: DbOrTx, id: string) {
  return db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
}

/** Every user by name (also one of the workspace's lists: workspaceLists.repo.ts). */
export const usersQuery = (db: DbOrTx) => db.selectFrom('users').select(['id', 'email', 'name', 'role']).orderBy('name');

export function listUsers(db: DbOrTx) {
  return usersQuery(db).execute();
}

export function insertUser(db: DbOrTx, u: { email: string; name: string; role: Role; passwordHash: string | null; locale?: Locale }) {
  return db
    .insertInto('users')
    .values({ ...u, email: u.email.toLowerCase() })
    .returning(['id', 'email', 'name', 'role', 'locale'])
    .executeTakeFirstOrThrow();
}

/** How many users have an e-mail not in the given list (e.g. users other than the demo logins). */
export async function countUsersOutside(db: DbOrTx, emails: string[]): Promise<number> {
  const { n } = await db
    .selectFrom('users')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .$if(emails.length > 0, (q) =>
      q.where(
        'email',
        'not in',
        emails.map((e) => e.toLowerCase()),
      ),
    )
    .executeTakeFirstOrThrow();
  return Number(n);
}

export function setUserLocale(db: DbOrTx, id: string, locale: Locale) {
  return db.updateTable('users').set({ locale }).where('id', '=', id).execute();
}

export function insertApiToken(db: DbOrTx, userId: string, tokenHash: string, expiresAt: Date) {
  return db.insertInto('apiTokens').values({ userId, tokenHash, lastUsedAt: null, expiresAt }).returning(['id', 'expiresAt']).executeTakeFirstOrThrow();
}

/** The token with its state and its user, whether or not it may still be used: the caller decides and says why. */
export function findApiTokenByHash(db: DbOrTx, tokenHash: string) {
  return db
    .selectFrom('apiTokens')
    .innerJoin('users', 'users.id', 'apiTokens.userId')
    .select([
      'apiTokens.id as tokenId',
      'apiTokens.expiresAt',
      'apiTokens.revokedAt',
      'apiTokens.lastUsedAt',
      'users.id',
      'users.email',
      'users.name',
      'users.role',
      'users.locale',
      'users.deactivatedAt',
      'users.mayApproveReplies',
    ])
    .where('apiTokens.tokenHash', '=', tokenHash)
    .executeTakeFirst();
}

export function findApiTokenById(db: DbOrTx, id: string) {
  return db.selectFrom('apiTokens').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
}

export function listApiTokens(db: DbOrTx, userId: string) {
  return db
    .selectFrom('apiTokens')
    .select(['id', 'createdAt', 'expiresAt', 'revokedAt', 'lastUsedAt'])
    .where('userId', '=', userId)
    .orderBy('createdAt', 'desc')
    .execute();
}

export function markApiTokenRevoked(db: DbOrTx, id: string) {
  return db
    .updateTable('apiTokens')
    .set({ revokedAt: new Date() })
    .where('id', '=', id)
    .where('revokedAt', 'is', null)
    .returning(['id', 'revokedAt'])
    .executeTakeFirst();
}

/** Written at most once per `everyMs` per token, whoever races: the row itself says when it was last written. */
export function touchApiToken(db: DbOrTx, id: string, everyMs: number) {
  return db
    .updateTable('apiTokens')
    .set({ lastUsedAt: new Date() })
    .where('id', '=', id)
    .where((eb) => eb.or([eb('lastUsedAt', 'is', null), eb('lastUsedAt', '<', new Date(Date.now() - everyMs))]))
    .execute();
}

/** Everyone, for the admin's list: deactivated users too (their history stays), with whether a password is set. */
export function listUsersForAdmin(db: DbOrTx) {
  return db
    .selectFrom('users')
    .select((eb) => ['id', 'email', 'name', 'role', 'locale', 'createdAt', 'deactivatedAt', eb('passwordHash', 'is not', null).as('hasPassword')])
    .orderBy('deactivatedAt', (ob) => ob.nullsFirst())
    .orderBy('name')
    .execute();
}

/** The user row locked for a change of role, state or password. */
export function findUserForUpdate(db: DbOrTx, id: string) {
  return db.selectFrom('users').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
}

/** 025_reply_approval: whether this person's replies wait for an approver, and whether they may approve others'. */
export function setUserApprovalFlags(db: DbOrTx, id: string, flags: { repliesNeedApproval: boolean; mayApproveReplies: boolean }) {
  return db.updateTable('users').set(flags).where('id', '=', id).execute();
}

/** Active admins other than the given user (an admin change must leave at least one). */
export async function countOtherActiveAdmins(db: DbOrTx, userId: string): Promise<number> {
  const { n } = await db
    .selectFrom('users')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('role', '=', 'admin')
    .where('deactivatedAt', 'is', null)
    .where('id', '!=', userId)
    .executeTakeFirstOrThrow();
  return Number(n);
}

export function setUserRole(db: DbOrTx, id: string, role: Role) {
  return db.updateTable('users').set({ role }).where('id', '=', id).execute();
}

export function setUserPasswordHash(db: DbOrTx, id: string, passwordHash: string) {
  return db.updateTable('users').set({ passwordHash }).where('id', '=', id).execute();
}

export function setUserDeactivatedAt(db: DbOrTx, id: string, deactivatedAt: Date | null) {
  return db.updateTable('users').set({ deactivatedAt }).where('id', '=', id).execute();
}

/** Revokes every token of the user still usable now; returns the revoked ids. */
export async function revokeOpenApiTokens(db: DbOrTx, userId: string): Promise<string[]> {
  const rows = await db
    .updateTable('apiTokens')
    .set({ revokedAt: new Date() })
    .where('userId', '=', userId)
    .where('revokedAt', 'is', null)
    .where('expiresAt', '>', new Date())
    .returning('id')
    .execute();
  return rows.map((r) => r.id);
}
