/**
 * The public case status page (no sign-in): case number + e-mail address, or the signed link from our first
 * answer, show the case's status in plain words and its public messages. A wrong number, a wrong address and
 * a bad signature get the same page, status and text; every look-up counts against the client network's limit,
 * and every form look-up also against the e-mail address's limit (a hash of the address keys it), so trying case
 * numbers for one known address from many networks is throttled too. Both counters count right and wrong pairs
 * alike: the answer says nothing until the limit, and at the limit the right pair is refused like a wrong one.
 */
import { Router, type Request, type Response } from 'express';
import { caseLinkSigner } from '../../domain/caseStatus/caseLink';
import { lookupCase, lookupSignedCase, normaliseEmail, type CaseView } from '../../domain/caseStatus/lookupCase';
import { createSigner } from '../../crypto/signing';
import { createPublicRateLimit } from '../../middleware/publicRateLimit';
import type { Services } from '../../services';

export const CASE_LOOKUPS_PER_WINDOW = 20;
export const CASE_LOOKUP_WINDOW_SECONDS = 10 * 60;
export const CASE_LOOKUPS_PER_EMAIL = 10;
export const CASE_EMAIL_WINDOW_SECONDS = 60 * 60;

export function caseStatusRoutes({ db, redis, config }: Services): Router {
  const router = Router();
  const signer = caseLinkSigner(config.encryptionKey);
  const lookups = createPublicRateLimit(redis, config.redisPrefix, 'case-status', CASE_LOOKUPS_PER_WINDOW, CASE_LOOKUP_WINDOW_SECONDS);
  const perEmail = createPublicRateLimit(redis, config.redisPrefix, 'case-status-email', CASE_LOOKUPS_PER_EMAIL, CASE_EMAIL_WINDOW_SECONDS);
  // keyed, so the Redis key names no address and cannot be reversed with a list of addresses
  const emailKeys = createSigner(config.encryptionKey, 'case-status-email');

  const show = (res: Response, found: CaseView | undefined) => {
    if (found) return res.render('case-status', { found, problem: null });
    // one answer for every miss: no hint which half was wrong
    res.status(404).render('case-status', { found: null, problem: res.locals.t('caseStatus.notFound') });
  };

  /** Counts the attempt; false (and the 429 answered) when the client network, or the e-mail address, is over its limit. */
  async function allowed(req: Request, res: Response, email?: string): Promise<boolean> {
    let attempt = await lookups.attempt(req.ip ?? 'unknown');
    if (attempt.allowed && email !== undefined) attempt = await perEmail.attempt(emailKeys.sign(normaliseEmail(email)));
    if (attempt.allowed) return true;
    res.set('Retry-After', String(attempt.retryAfterSeconds));
    res.status(429).render('case-status', { found: null, problem: res.locals.t('caseStatus.tooMany', { minutes: Math.ceil(attempt.retryAfterSeconds / 60) }) });
    return false;
  }

  router.get('/case', (_req, res) => {
    res.render('case-status', { found: null, problem: null });
  });

  router.post('/case', async (req, res) => {
    // Read leniently rather than refused with a 400: input that is no case number is just another miss.
    const body = (req.body ?? {}) as Record<string, unknown>;
    const text = (v: unknown) => (typeof v === 'string' ? v : '');
    const email = text(body.email).slice(0, 320);
    if (!(await allowed(req, res, email))) return;
    show(res, await lookupCase(db, { caseNumber: text(body.caseNumber).slice(0, 40), email }));
  });

  router.get('/case/:caseNumber', async (req, res) => {
    if (!(await allowed(req, res))) return;
    const sig = typeof req.query.sig === 'string' ? req.query.sig.slice(0, 128) : '';
    show(res, await lookupSignedCase(db, signer, String(req.params.caseNumber), sig));
  });

  return router;
}
