/**
 * Listening queries in the console (managers and admins): the list with each query's recent volume, create,
 * edit, deactivate/reactivate, backfill over the last N days, and the check of a query's text as it is
 * typed (the parser's reason and the spot it names). Every change audited as through the API.
 */
import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import { listListeningQueries, matchCountsSince } from '../../db/repositories/listening.repo';
import { listReportTopics } from '../../db/repositories/reports.repo';
import { PRIORITIES } from '../../domain/conversations/tagConversation';
import { inTransaction } from '../../domain/effects';
import {
  backfillInput,
  backfillListeningQuery,
  createListeningQuery,
  editListeningQuery,
  listeningQueryActivity,
  listeningQueryEdit,
  listeningQueryInput,
  setListeningQueryActivity,
} from '../../domain/listening/listeningQueries';
import { MAX_QUERY_LENGTH } from '../../domain/listening/queryLanguage';
import { DAY_MS } from '../../domain/reports/range';
import { requirePermission } from '../../middleware/auth';
import { rerenderForm } from '../../middleware/errors';
import { pathId, uuidParam, validate } from '../../middleware/validate';
import { queryCheckView } from '../../presenters/queryCheck.presenter';
import type { Services } from '../../services';
import { actingUser } from '../actor';

/** What the queries page counts as recent volume. */
const RECENT_DAYS = 7;
const blank = (v: unknown) => (v === '' || v === undefined ? undefined : v);
/** The form's flat fields as the command's input: an empty action field means "leave alone". */
const queryForm = (req: Request) => ({
  id: req.params.queryId,
  name: req.body.name,
  query: req.body.query,
  actions: { tag: blank(req.body.tag), topicId: blank(req.body.topicId), priority: blank(req.body.priority) },
});
const checkQuery = z.object({
  query: z
    .string()
    .max(MAX_QUERY_LENGTH * 2)
    .default(''),
});

export function listeningQueryRoutes({ db, dispatcher }: Services): Router {
  const router = Router();
  router.param('queryId', uuidParam('Listening query'));
  router.use('/monitoring/queries', requirePermission('settings.manage'));

  const page = async (_req: Request, res: Response, backfilled?: { id: string; days: number; scanned: number; matched: number }) => {
    const [queries, volumes, topics] = await Promise.all([
      listListeningQueries(db),
      matchCountsSince(db, new Date(Date.now() - RECENT_DAYS * DAY_MS)),
      listReportTopics(db),
    ]);
    res.render('monitoring-queries', {
      title: res.locals.t('listening.title'),
      queries: queries.map((q) => ({ ...q, recent: volumes.get(q.id) ?? { posts: 0, negative: 0 } })),
      recentDays: RECENT_DAYS,
      topics,
      priorities: PRIORITIES,
      backfilled: backfilled ?? null,
      queryCheckView,
    });
  };
  const again = (req: Request, res: Response) => page(req, res);
  const done = (res: Response, id: string) => res.redirect(303, `/monitoring/queries#query-${id}`);
  const formOf = (req: Request) => `query-${req.params.queryId}`;

  router.get('/monitoring/queries', (req, res) => page(req, res));

  router.get(
    '/monitoring/queries/check',
    validate(checkQuery, (req) => req.query),
    (_req, res) => {
      res.render('partials/monitoring/query-check', { check: queryCheckView(res.locals.input.query, res.locals.t) });
    },
  );

  router.post('/monitoring/queries', rerenderForm('query-new', again), validate(listeningQueryInput, queryForm), async (req, res) => {
    const { actor, user } = actingUser(req);
    const row = await inTransaction(db, dispatcher, (tx) => createListeningQuery(tx, res.locals.input, { actor, userId: user.id }));
    done(res, row.id);
  });

  router.post('/monitoring/queries/:queryId', rerenderForm(formOf, again), validate(listeningQueryEdit, queryForm), async (req, res) => {
    await inTransaction(db, dispatcher, (tx) => editListeningQuery(tx, res.locals.input, actingUser(req)));
    done(res, pathId(req, 'queryId'));
  });

  router.post(
    '/monitoring/queries/:queryId/active',
    rerenderForm(formOf, again),
    validate(listeningQueryActivity, (req) => ({ id: req.params.queryId, active: req.body.active })),
    async (req, res) => {
      await inTransaction(db, dispatcher, (tx) => setListeningQueryActivity(tx, res.locals.input, actingUser(req)));
      done(res, pathId(req, 'queryId'));
    },
  );

  router.post('/monitoring/queries/:queryId/backfill', rerenderForm(formOf, again), validate(backfillInput), async (req, res) => {
    const id = pathId(req, 'queryId');
    const result = await backfillListeningQuery(db, dispatcher, id, res.locals.input, actingUser(req).actor);
    await page(req, res, { id, ...result });
  });

  return router;
}
