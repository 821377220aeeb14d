/**
 * Users and teams for admins: the list, invitations, roles, deactivation, password-reset links, team
 * membership and each person's API tokens. Every change is one domain command, audited in its transaction.
 * A new link is shown once on the page (only its hash is stored) and mailed when SMTP_URL is set.
 */
import { Router, type Request, type Response } from 'express';
import type { Db } from '../../db/client';
import { latestPasswordLink } from '../../db/repositories/passwordLinks.repo';
import { listTeamMemberships, listTeamsWithSize } from '../../db/repositories/teams.repo';
import { findUserById, listApiTokens, listUsersForAdmin } from '../../db/repositories/users.repo';
import { inTransaction } from '../../domain/effects';
import { createTeam, joinTeam, leaveTeam, membershipInput, teamInput } from '../../domain/teams/teams';
import { setUserApproval, userApprovalInput } from '../../domain/replies/approvalRules';
import { revokeApiToken } from '../../domain/users/revokeApiToken';
import { inviteInput, inviteUser } from '../../domain/users/inviteUser';
import { type IssuedLink, issuePasswordReset, linkState, PASSWORD_LINK_PATH } from '../../domain/users/passwordLinks';
import { changeUserRole, deactivateUser, reactivateUser, roleInput } from '../../domain/users/userAccess';
import { NotFound } from '../../errors';
import { passwordLinkMailer } from '../../mail/passwordLinkMail';
import { requirePermission } from '../../middleware/auth';
import { rerenderForm } from '../../middleware/errors';
import { pathId, uuidParam, validate } from '../../middleware/validate';
import type { Services } from '../../services';
import { actingUser } from '../actor';

const USERS = '/settings/users';
const userPage = (id: string) => `${USERS}/${id}`;
const withUser = (req: Request) => ({ ...req.body, userId: req.params.userId });

/** What the admin sees right after issuing a link: the link itself (once) and whether it was mailed. */
type ShownLink = { url: string; expiresAt: Date; mailed: boolean | null };

async function userDetail(db: Db, userId: string) {
  const user = await findUserById(db, userId);
  if (!user) throw new NotFound('User');
  const [tokens, memberships, teams, link] = await Promise.all([
    listApiTokens(db, user.id),
    listTeamMemberships(db),
    listTeamsWithSize(db),
    latestPasswordLink(db, user.id),
  ]);
  const now = new Date();
  const memberOf = new Set(memberships.filter((m) => m.userId === user.id).map((m) => m.teamId));
  return {
    person: {
      id: user.id,
      email: user.email,
      name: user.name,
      role: user.role,
      locale: user.locale,
      deactivatedAt: user.deactivatedAt,
      hasPassword: user.passwordHash !== null,
      repliesNeedApproval: user.repliesNeedApproval,
      mayApproveReplies: user.mayApproveReplies,
    },
    tokens: tokens.map((tk) => ({ ...tk, state: tk.revokedAt ? 'revoked' : tk.expiresAt <= now ? 'expired' : 'active' })),
    teams: teams.map((team) => ({ ...team, member: memberOf.has(team.id) })),
    link: link ? { purpose: link.purpose, expiresAt: link.expiresAt, state: linkState(link, now) } : null,
  };
}

export function userRoutes(services: Services): Router {
  const { db, config, logger, dispatcher } = services;
  const mail = passwordLinkMailer(config);
  const router = Router();
  router.use(USERS, requirePermission('users.manage'));
  router.use('/settings/teams', requirePermission('users.manage'));
  router.param('userId', uuidParam('User'));
  router.param('tokenId', uuidParam('API token'));
  router.param('teamId', uuidParam('Team'));

  async function listPage(_req: Request, res: Response) {
    const [users, teams, memberships] = await Promise.all([listUsersForAdmin(db), listTeamsWithSize(db), listTeamMemberships(db)]);
    const teamsOf = (userId: string) => memberships.filter((m) => m.userId === userId).map((m) => m.teamName);
    res.render('settings-users', { users: users.map((u) => ({ ...u, teams: teamsOf(u.id) })), teams, mailConfigured: mail !== null });
  }

  async function detailPage(req: Request, res: Response, shownLink: ShownLink | null = null) {
    res.render('settings-user', { ...(await userDetail(db, pathId(req, 'userId'))), shownLink, mailConfigured: mail !== null });
  }

  /** The link for the page, and the mail when a mail server is configured (a failed mail is said, not fatal: the link is on the page). */
  async function shareLink(person: { email: string; name: string; locale: 'de' | 'en' }, link: IssuedLink): Promise<ShownLink> {
    const url = `${config.baseUrl}${PASSWORD_LINK_PATH}?token=${encodeURIComponent(link.token)}`;
    if (!mail) return { url, expiresAt: link.expiresAt, mailed: null };
    try {
      await mail({ to: person.email, name: person.name, locale: person.locale, purpose: link.purpose, url, expiresAt: link.expiresAt });
      return { url, expiresAt: link.expiresAt, mailed: true };
    } catch (err) {
      logger.warn({ err: (err as Error).message }, 'password link mail could not be sent');
      return { url, expiresAt: link.expiresAt, mailed: false };
    }
  }

  const refusedOnList = (form: string) => rerenderForm(form, listPage);
  const refusedOnDetail = (form: string) => rerenderForm(form, (req, res) => detailPage(req, res));
  const back = (req: Request, res: Response) => res.redirect(303, userPage(pathId(req, 'userId')));

  router.get(USERS, listPage);
  router.post(USERS, refusedOnList('invite'), validate(inviteInput), async (req, res) => {
    const { user, link } = await db.transaction().execute((tx) => inviteUser(tx, res.locals.input, actingUser(req).actor));
    const shown = await shareLink(user, link);
    req.params.userId = user.id;
    res.status(201);
    await detailPage(req, res, shown);
  });
  router.post('/settings/teams', refusedOnList('team'), validate(teamInput), async (req, res) => {
    await db.transaction().execute((tx) => createTeam(tx, res.locals.input, actingUser(req).actor));
    res.redirect(303, USERS);
  });

  router.get(`${USERS}/:userId`, (req, res) => detailPage(req, res));
  router.post(`${USERS}/:userId/role`, refusedOnDetail('role'), validate(roleInput, withUser), async (req, res) => {
    await inTransaction(db, dispatcher, (tx, effects) => changeUserRole(tx, effects, res.locals.input, actingUser(req).actor));
    back(req, res);
  });
  router.post(`${USERS}/:userId/approval`, refusedOnDetail('approval'), validate(userApprovalInput, withUser), async (req, res) => {
    await inTransaction(db, dispatcher, (tx, effects) => setUserApproval(tx, effects, res.locals.input, actingUser(req).actor));
    back(req, res);
  });
  router.post(`${USERS}/:userId/deactivate`, refusedOnDetail('access'), async (req, res) => {
    await inTransaction(db, dispatcher, (tx, effects) => deactivateUser(tx, effects, pathId(req, 'userId'), actingUser(req).actor));
    back(req, res);
  });
  router.post(`${USERS}/:userId/reactivate`, refusedOnDetail('access'), async (req, res) => {
    await inTransaction(db, dispatcher, (tx, effects) => reactivateUser(tx, effects, pathId(req, 'userId'), actingUser(req).actor));
    back(req, res);
  });
  router.post(`${USERS}/:userId/password-link`, refusedOnDetail('access'), async (req, res) => {
    const userId = pathId(req, 'userId');
    const link = await db.transaction().execute((tx) => issuePasswordReset(tx, userId, actingUser(req).actor));
    const person = await findUserById(db, userId);
    await detailPage(req, res, await shareLink(person!, link));
  });
  router.post(`${USERS}/:userId/teams`, refusedOnDetail('teams'), validate(membershipInput, withUser), async (req, res) => {
    await db.transaction().execute((tx) => joinTeam(tx, res.locals.input, actingUser(req).actor));
    back(req, res);
  });
  router.post(
    `${USERS}/:userId/teams/:teamId/leave`,
    refusedOnDetail('teams'),
    validate(membershipInput, (req) => ({ userId: req.params.userId, teamId: req.params.teamId })),
    async (req, res) => {
      await db.transaction().execute((tx) => leaveTeam(tx, res.locals.input, actingUser(req).actor));
      back(req, res);
    },
  );
  router.post(`${USERS}/:userId/tokens/:tokenId/revoke`, refusedOnDetail('tokens'), async (req, res) => {
    const userId = pathId(req, 'userId');
    await db.transaction().execute(async (tx) => {
      const { userId: owner } = await revokeApiToken(tx, pathId(req, 'tokenId'), actingUser(req).actor);
      if (owner !== userId) throw new NotFound('API token'); // rolls the revocation back: the path named another person
    });
    back(req, res);
  });

  return router;
}
