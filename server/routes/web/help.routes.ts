/**
 * A chat site's public help page (no sign-in): the site's published articles, a search with the stemming of
 * each language (rate-limited per client network), an article page that counts its views, and the "Hat das geholfen?" answer (rate-limited per
 * client network, counted once per visitor and day). The forms carry the visitor's CSRF token (middleware/csrf.ts).
 */
import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import { findChatSite } from '../../db/repositories/chatSites.repo';
import { findPublished, listPublished, searchArticles } from '../../db/repositories/knowledgeArticles.repo';
import { createSigner } from '../../crypto/signing';
import { recordView, recordVote, type Visitor } from '../../domain/knowledge/articleUsage';
import { helpLanguages, readerLanguage } from '../../domain/knowledge/helpPage';
import { renderMarkdown } from '../../domain/knowledge/markdown';
import { NotFound } from '../../errors';
import { createPublicRateLimit } from '../../middleware/publicRateLimit';
import { pathId, uuidParam, validate } from '../../middleware/validate';
import { presentHit } from '../../presenters/articleHit.presenter';
import type { Services } from '../../services';

/** Answers and searches per client network in the window; views beyond it are shown but not counted. */
export const HELP_VOTES_PER_WINDOW = 30;
export const HELP_SEARCHES_PER_WINDOW = 60;
export const HELP_VIEWS_PER_WINDOW = 300;
const WINDOW_SECONDS = 10 * 60;

const searchQuery = z.object({ q: z.string().max(200).default('') });
const feedbackBody = z.object({ helped: z.enum(['yes', 'no']) });

export function helpRoutes({ db, redis, config }: Services): Router {
  const router = Router();
  router.param('siteId', uuidParam('Help page'));
  router.param('articleId', uuidParam('Article'));
  const visitors = createSigner(config.encryptionKey, 'help-visitor');
  const votes = createPublicRateLimit(redis, config.redisPrefix, 'help-votes', HELP_VOTES_PER_WINDOW, WINDOW_SECONDS);
  const views = createPublicRateLimit(redis, config.redisPrefix, 'help-views', HELP_VIEWS_PER_WINDOW, WINDOW_SECONDS);
  const searches = createPublicRateLimit(redis, config.redisPrefix, 'help-searches', HELP_SEARCHES_PER_WINDOW, WINDOW_SECONDS);

  const visitorOf = (req: Request): Visitor => ({ ip: req.ip ?? 'unknown', userAgent: req.get('user-agent') ?? '' });

  async function siteOf(req: Request, res: Response) {
    const site = await findChatSite(db, pathId(req, 'siteId'));
    if (!site) throw new NotFound('Help page');
    const languages = helpLanguages(site);
    // the reader's language first, then the site's others
    const reader = readerLanguage(languages, res.locals.locale);
    return { site, languages: [reader, ...languages.filter((l) => l !== reader)] };
  }

  router.get(
    '/help/:siteId',
    validate(searchQuery, (req) => req.query),
    async (req, res) => {
      const { site, languages } = await siteOf(req, res);
      const q = res.locals.input.q.trim();
      if (q) {
        const attempt = await searches.attempt(visitorOf(req).ip);
        if (!attempt.allowed) {
          res.set('Retry-After', String(attempt.retryAfterSeconds));
          const tooMany = res.locals.t('help.searchTooMany', { minutes: Math.ceil(attempt.retryAfterSeconds / 60) });
          return res.status(429).render('help', { site, q, hits: null, articles: [], tooMany });
        }
      }
      const hits = q ? (await searchArticles(db, q, { languages, publishedOnly: true, limit: 20 })).map(presentHit) : null;
      const articles = hits ? [] : await listPublished(db, languages);
      articles.sort((a, b) => languages.indexOf(a.language) - languages.indexOf(b.language));
      res.render('help', { site, q, hits, articles, tooMany: null });
    },
  );

  async function articlePage(req: Request, res: Response, tooMany: string | null) {
    const { site, languages } = await siteOf(req, res);
    const article = await findPublished(db, pathId(req, 'articleId'), languages);
    if (!article) throw new NotFound('Article');
    return {
      site,
      article,
      render: () => res.render('help-article', { site, article, bodyHtml: renderMarkdown(article.body), feedback: req.query.feedback, tooMany }),
    };
  }

  router.get('/help/:siteId/articles/:articleId', async (req, res) => {
    const page = await articlePage(req, res, null);
    if ((await views.attempt(visitorOf(req).ip)).allowed) await recordView(db, visitors, page.article.id, visitorOf(req));
    page.render();
  });

  router.post('/help/:siteId/articles/:articleId/feedback', async (req, res) => {
    const attempt = await votes.attempt(visitorOf(req).ip);
    if (!attempt.allowed) {
      res.set('Retry-After', String(attempt.retryAfterSeconds));
      res.status(429);
      return (await articlePage(req, res, res.locals.t('help.tooMany', { minutes: Math.ceil(attempt.retryAfterSeconds / 60) }))).render();
    }
    const page = await articlePage(req, res, null);
    const parsed = feedbackBody.safeParse(req.body);
    if (!parsed.success) {
      res.status(400);
      return page.render();
    }
    await recordVote(db, visitors, page.article.id, parsed.data.helped === 'yes', visitorOf(req));
    res.redirect(303, `/help/${page.site.id}/articles/${page.article.id}?feedback=thanks#feedback`);
  });

  return router;
}
