/**
 * The knowledge base in the console (managers): the list of articles with their usage on the help pages and a
 * search, and the editor with a live preview of the rendered Markdown. Every save is audited by the command.
 */
import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import { findArticle, listArticles, searchArticles } from '../../db/repositories/knowledgeArticles.repo';
import { articleChange, articleInput, changeArticle, createArticle } from '../../domain/knowledge/articles';
import { renderMarkdown } from '../../domain/knowledge/markdown';
import { NotFound } from '../../errors';
import { requirePermission } from '../../middleware/auth';
import { rerenderForm } from '../../middleware/errors';
import { pathId, uuidParam, validate } from '../../middleware/validate';
import { presentHit } from '../../presenters/articleHit.presenter';
import type { Services } from '../../services';
import { actingUser } from '../actor';

const listQuery = z.object({ q: z.string().max(200).default('') });
const previewBody = z.object({ body: z.string().max(50_000).default('') });
const articleForm = (req: Request) => ({ ...req.body, id: req.params.articleId });

export function knowledgeRoutes({ db }: Services): Router {
  const router = Router();
  router.param('articleId', uuidParam('Article'));
  const manage = requirePermission('knowledge.manage');

  router.get(
    '/settings/knowledge',
    manage,
    validate(listQuery, (req) => req.query),
    async (_req, res) => {
      const q = res.locals.input.q.trim();
      const hits = q ? (await searchArticles(db, q, { languages: ['de', 'en'], publishedOnly: false, limit: 50 })).map(presentHit) : null;
      res.render('knowledge-articles', { articles: hits ? [] : await listArticles(db), hits, q });
    },
  );

  const editor = async (req: Request, res: Response) => {
    const id = req.params.articleId;
    const article = typeof id === 'string' ? await findArticle(db, id) : undefined;
    if (typeof id === 'string' && !article) throw new NotFound('Article');
    const form = article ? `article-${article.id}` : 'article-new';
    const body = String(res.locals.forms.value(form, 'body', article?.body ?? ''));
    res.render('knowledge-article', { article: article ?? null, form, previewHtml: renderMarkdown(body), saved: req.query.saved === '1' });
  };

  router.get('/settings/knowledge/new', manage, editor);
  router.get('/settings/knowledge/:articleId', manage, editor);

  // The editor's preview, as the help page will show it (htmx, while typing).
  router.post('/settings/knowledge/preview', manage, validate(previewBody), (_req, res) => {
    res.render('partials/knowledge/preview', { previewHtml: renderMarkdown(res.locals.input.body) });
  });

  router.post('/settings/knowledge', manage, rerenderForm('article-new', editor), validate(articleInput), async (req, res) => {
    const created = await db.transaction().execute((tx) => createArticle(tx, res.locals.input, actingUser(req)));
    res.redirect(303, `/settings/knowledge/${created.id}?saved=1`);
  });

  router.post(
    '/settings/knowledge/:articleId',
    manage,
    rerenderForm((req) => `article-${pathId(req, 'articleId')}`, editor),
    validate(articleChange, articleForm),
    async (req, res) => {
      await db.transaction().execute((tx) => changeArticle(tx, res.locals.input, actingUser(req)));
      res.redirect(303, `/settings/knowledge/${pathId(req, 'articleId')}?saved=1`);
    },
  );

  return router;
}
