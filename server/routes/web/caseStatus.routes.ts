/**
 * The public case status page (no sign-in): case number + e-mail address, or the signed link from our first
 * answer, show the case's status in plain words and its public messages. A wrong number, a wrong address and
 * a bad signature get the same page, status and text; every look-up counts against the client network's limit.
 */
import { Router, type Request, type Response } from 'express';
import { caseLinkSigner } from '../../domain/caseStatus/caseLink';
import { lookupCase, lookupSignedCase, type CaseView } from '../../domain/caseStatus/lookupCase';
import { createPublicRateLimit } from '../../middleware/publicRateLimit';
import type { Services } from '../../services';

export const CASE_LOOKUPS_PER_WINDOW = 20;
export const CASE_LOOKUP_WINDOW_SECONDS = 10 * 60;

export function caseStatusRoutes({ db, redis, config }: Services): Router {
  const router = Router();
  const signer = caseLinkSigner(config.encryptionKey);
  const lookups = createPublicRateLimit(redis, config.redisPrefix, 'case-status', CASE_LOOKUPS_PER_WINDOW, CASE_LOOKUP_WINDOW_SECONDS);

  const show = (res: Response, found: CaseView | undefined) => {
    if (found) return res.render('case-status', { found, problem: null });
    // one answer for every miss: no hint which half was wrong
    res.status(404).render('case-status', { found: null, problem: res.locals.t('caseStatus.notFound') });
  };

  /** Counts the attempt; false (and the 429 answered) when the client network is over its limit. */
  async function allowed(req: Request, res: Response): Promise<boolean> {
    const attempt = await lookups.attempt(req.ip ?? 'unknown');
    if (attempt.allowed) return true;
    res.set('Retry-After', String(attempt.retryAfterSeconds));
    res.status(429).render('case-status', { found: null, problem: res.locals.t('caseStatus.tooMany', { minutes: Math.ceil(attempt.retryAfterSeconds / 60) }) });
    return false;
  }

  router.get('/case', (_req, res) => {
    res.render('case-status', { found: null, problem: null });
  });

  router.post('/case', async (req, res) => {
    if (!(await allowed(req, res))) return;
    // Read leniently rather than refused with a 400: input that is no case number is just another miss.
    const body = (req.body ?? {}) as Record<string, unknown>;
    const text = (v: unknown) => (typeof v === 'string' ? v : '');
    show(res, await lookupCase(db, { caseNumber: text(body.caseNumber).slice(0, 40), email: text(body.email).slice(0, 320) }));
  });

  router.get('/case/:caseNumber', async (req, res) => {
    if (!(await allowed(req, res))) return;
    const sig = typeof req.query.sig === 'string' ? req.query.sig.slice(0, 128) : '';
    show(res, await lookupSignedCase(db, signer, String(req.params.caseNumber), sig));
  });

  return router;
}
