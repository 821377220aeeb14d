/**
 * The invitation and password-reset link (no session needed): the person sees whose account it is and sets
 * a password that passes the policy; the link is then used up. The token rides in the query (request logs
 * keep only the path) and in a hidden field of the form, never in the path.
 */
import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import { openPasswordLink, PASSWORD_LINK_PATH, setPasswordInput, setPasswordWithLink } from '../../domain/users/passwordLinks';
import { NotFound } from '../../errors';
import { MIN_PASSWORD_LENGTH } from '../../domain/users/passwordPolicy';
import { rerenderForm } from '../../middleware/errors';
import { validate } from '../../middleware/validate';
import { formView } from '../../presenters/form.presenter';
import type { Services } from '../../services';

const tokenQuery = z.object({ token: z.string().min(1).max(200) });

export function passwordLinkRoutes({ db }: Services): Router {
  const router = Router();

  /** The form for an open link; anything else (unknown, used, replaced, expired) is a 404 page that says so in words. */
  async function formPage(req: Request, res: Response) {
    res.locals.forms ??= formView(null);
    const token = String(req.body?.token ?? req.query.token ?? '');
    const parsed = tokenQuery.safeParse({ token });
    const link = parsed.success ? await db.transaction().execute((tx) => openPasswordLink(tx, parsed.data.token).catch(() => null)) : null;
    if (!link) return void res.status(404).render('password-link', { state: 'invalid' });
    res.render('password-link', {
      state: 'form',
      token,
      person: { name: link.name, email: link.email },
      purpose: link.purpose,
      minLength: MIN_PASSWORD_LENGTH,
    });
  }

  router.get(PASSWORD_LINK_PATH, formPage);
  router.post(PASSWORD_LINK_PATH, rerenderForm('password', formPage, ['password', 'confirm']), validate(setPasswordInput), async (req, res) => {
    const set = await db
      .transaction()
      .execute((tx) => setPasswordWithLink(tx, res.locals.input, req.ip ?? null).catch((err) => (err instanceof NotFound ? null : Promise.reject(err))));
    if (!set) return void res.status(404).render('password-link', { state: 'invalid' });
    res.render('password-link', { state: 'done', email: set.email });
  });

  return router;
}
