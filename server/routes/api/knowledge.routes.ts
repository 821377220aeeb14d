/**
 * The knowledge base for integrations: everyone who reads conversations lists, reads and searches articles
 * (drafts too, marked by `state`); managers create and change them (audited). `bodyHtml` is the safe rendering.
 */
import { Router } from 'express';
import { z } from 'zod';
import { findArticle, listArticles, searchArticles } from '../../db/repositories/knowledgeArticles.repo';
import { articleChange, articleInput, changeArticle, createArticle } from '../../domain/knowledge/articles';
import { renderMarkdown } from '../../domain/knowledge/markdown';
import { NotFound } from '../../errors';
import { requirePermission } from '../../middleware/auth';
import { pathId, uuidParam, validate } from '../../middleware/validate';
import { presentHit } from '../../presenters/articleHit.presenter';
import type { Services } from '../../services';
import { actingUser } from '../actor';

const searchQuery = z.object({
  q: z.string().trim().min(1).max(200),
  lang: z.enum(['de', 'en']).optional(),
  limit: z.coerce.number().int().min(1).max(50).default(20),
});

const withHtml = <A extends { body: string }>(a: A) => ({ ...a, bodyHtml: renderMarkdown(a.body) });

export function knowledgeApiRoutes({ db }: Services): Router {
  const router = Router();
  router.param('id', uuidParam('Article'));
  const read = requirePermission('conversation.read');
  const manage = requirePermission('knowledge.manage');

  router.get('/knowledge/articles', read, async (_req, res) => {
    res.json({ articles: await listArticles(db) });
  });

  router.get('/knowledge/articles/:id', read, async (req, res) => {
    const article = await findArticle(db, pathId(req));
    if (!article) throw new NotFound('Article');
    res.json(withHtml(article));
  });

  router.get(
    '/knowledge/search',
    read,
    validate(searchQuery, (req) => req.query),
    async (_req, res) => {
      const { q, lang, limit } = res.locals.input;
      const hits = await searchArticles(db, q, { languages: lang ? [lang] : ['de', 'en'], publishedOnly: false, limit });
      // the snippet as HTML only: its raw form carries the private-use hit markers
      res.json({ hits: hits.map((hit) => ({ ...presentHit(hit), snippet: undefined })) });
    },
  );

  router.post('/knowledge/articles', manage, validate(articleInput), async (req, res) => {
    res.status(201).json(withHtml(await db.transaction().execute((tx) => createArticle(tx, res.locals.input, actingUser(req)))));
  });

  router.patch(
    '/knowledge/articles/:id',
    manage,
    validate(articleChange, (req) => ({ ...req.body, id: req.params.id })),
    async (req, res) => {
      res.json(withHtml(await db.transaction().execute((tx) => changeArticle(tx, res.locals.input, actingUser(req)))));
    },
  );

  return router;
}
