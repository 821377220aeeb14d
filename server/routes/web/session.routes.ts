/** Sign in, sign out, and the language switch. */
import { Router, type Request } from 'express';
import { z } from 'zod';
import { dummyPasswordHash, verifyPassword } from '../../crypto/tokens';
import { appendAudit } from '../../db/repositories/audit.repo';
import { findUserByEmail, findUserById, setUserLocale } from '../../db/repositories/users.repo';
import { userActor } from '../../domain/audit/actor';
import { can } from '../../domain/auth/permissions';
import { changeAvailability } from '../../domain/availability/setAvailability';
import { inTransaction } from '../../domain/effects';
import { translator } from '../../i18n/translate';
import { newCsrfToken } from '../../middleware/csrf';
import { localeForRequest } from '../../middleware/locale';
import { createLoginLimiter } from '../../middleware/loginRateLimit';
import { SESSION_COOKIE } from '../../middleware/sessionStore';
import type { Services } from '../../services';

const loginBody = z.object({ email: z.string().trim().max(320), password: z.string().max(1000), next: z.string().optional() });
const localeBody = z.object({ locale: z.enum(['de', 'en']), back: z.string().optional() });

/** Only same-site paths are followed after sign-in (browsers read `/\host` like `//host`). */
const safeNext = (next: string | undefined) => (next && /^\/(?![/\\])/.test(next) ? next : '/inbox');

export function sessionRoutes({ db, redis, config, dispatcher }: Services): Router {
  const router = Router();
  const limiter = createLoginLimiter(redis, config.redisPrefix);
  void dummyPasswordHash(); // computed once now, not on the first unknown address

  router.get('/login', (req, res) => {
    if (req.session.userId) return res.redirect('/inbox');
    res.render('login', { error: null, email: '', next: safeNext(req.query.next as string | undefined) });
  });

  router.post('/login', async (req, res) => {
    const parsed = loginBody.safeParse(req.body);
    const email = parsed.success ? parsed.data.email.toLowerCase() : '';
    const next = safeNext(parsed.success ? parsed.data.next : undefined);
    const t = translator(localeForRequest(req));
    const ip = req.ip ?? 'unknown';
    // Counted before the password is checked, atomically: parallel guesses cannot outrun the counter.
    const attempt = await limiter.attempt(ip, email);
    if (!attempt.allowed) {
      res.set('Retry-After', String(attempt.retryAfterSeconds));
      return res.status(429).render('login', { error: t('login.tooMany', { minutes: Math.ceil(attempt.retryAfterSeconds / 60) }), email, next });
    }
    const user = parsed.success ? await findUserByEmail(db, email) : undefined;
    // An unknown address is checked against a dummy hash: the same scrypt run, so timing does not tell which accounts exist.
    // An invited user without a password yet, too; a deactivated user is refused like a wrong password.
    const ok =
      parsed.success && (await verifyPassword(parsed.data.password, user?.passwordHash ?? (await dummyPasswordHash()))) && !!user && !user.deactivatedAt;
    if (!user || !ok) {
      await appendAudit(db, {
        actor: { type: 'user', id: user?.id ?? null, label: email || '(empty)', ip },
        action: 'auth.login_failed',
        subjectType: 'user',
        subjectId: user?.id ?? null,
      });
      return res.status(401).render('login', { error: t('login.failed'), email, next });
    }
    await limiter.succeeded(ip, email);
    await regenerate(req);
    req.session.userId = user.id;
    req.session.csrfToken = newCsrfToken();
    await appendAudit(db, { actor: userActor(user, ip), action: 'auth.login', subjectType: 'user', subjectId: user.id });
    // Saved before the redirect: browsers follow a 302 on its headers, before express-session's own save.
    await new Promise<void>((resolve, reject) => req.session.save((err) => (err ? reject(err) : resolve())));
    res.redirect(next);
  });

  router.post('/logout', async (req, res) => {
    const user = req.session.userId ? await findUserById(db, req.session.userId) : undefined;
    if (user) await appendAudit(db, { actor: userActor(user, req.ip), action: 'auth.logout', subjectType: 'user', subjectId: user.id });
    // signing out ends the agent's availability (audited; no new work routed to them)
    if (user && can(user.role, 'conversation.work'))
      await inTransaction(db, dispatcher, (tx, effects) =>
        changeAvailability(tx, effects, { userId: user.id, status: 'offline' }, { actor: userActor(user, req.ip), user: null }),
      );
    await new Promise<void>((resolve) => req.session.destroy(() => resolve()));
    // The browser forgets the ended session's id, so no tab presents it again to a process that still has a copy.
    res.clearCookie(SESSION_COOKIE, { httpOnly: true, sameSite: 'lax', secure: config.env === 'production' });
    res.redirect('/login');
  });

  router.post('/locale', async (req, res) => {
    const parsed = localeBody.safeParse(req.body);
    if (parsed.success) {
      res.cookie('rl_locale', parsed.data.locale, { httpOnly: true, sameSite: 'lax', secure: config.env === 'production', maxAge: 365 * 86400_000 });
      const userId = req.session.userId;
      if (userId)
        await inTransaction(db, dispatcher, async (tx, effects) => {
          await setUserLocale(tx, userId, parsed.data.locale);
          effects.publish({ type: 'access', userId });
        });
    }
    res.redirect(safeNext(parsed.success ? parsed.data.back : undefined));
  });

  return router;
}

/** A new session id on sign-in, so a session fixed before sign-in is worthless. */
function regenerate(req: Request): Promise<void> {
  return new Promise((resolve, reject) => req.session.regenerate((err) => (err ? reject(err) : resolve())));
}
