/**
 * The channels page for managers and admins: every channel with its fetch health, pause/resume, poll
 * interval, "fetch now", tracked searches, X credentials, and the form that connects an X account.
 * Each change is one domain command (audited in its transaction); poll schedules follow after commit.
 */
import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import type { Tx } from '../../db/client';
import { listAllTrackedSearches, listChannelsWithHealth } from '../../db/repositories/channelHealth.repo';
import { userActor } from '../../domain/audit/actor';
import { addTrackedSearch, removeTrackedSearch, replaceCredentials, setChannelPaused, setPollInterval, type PollSchedule } from '../../domain/channels/channelPolling';
import { formatTemplates, setChannelTemplates } from '../../domain/channels/messageTemplates';
import { createXChannel, maskCredentials } from '../../domain/channels/x/createXChannel';
import { HttpError, messageIn, NotFound } from '../../errors';
import { requirePermission } from '../../middleware/auth';
import { channelHealthView } from '../../presenters/channelHealth.presenter';
import type { Services } from '../../services';

const idParam = z.object({ id: z.uuid() });
const topicParam = z.object({ id: z.uuid(), topicId: z.uuid() });
const PAGE = '/settings/channels';
/** Secrets are never echoed back into a form, not even after a validation error. */
const SECRET_FIELDS = ['bearerToken', 'appKey', 'appSecret', 'accessToken', 'accessSecret', '_csrf'];

type Problems = { errors?: Record<string, string>; drafts?: Record<string, Record<string, string>> };

export function channelRoutes(services: Services): Router {
  const { db, secretBox, logger, connectors, polls: scheduler } = services;
  const router = Router();
  router.use(PAGE, requirePermission('settings.manage'));

  async function channelViews() {
    const [rows, searches] = await Promise.all([listChannelsWithHealth(db), listAllTrackedSearches(db)]);
    const now = new Date();
    return rows.map((row) => {
      const capabilities = connectors.of(row.kind)?.capabilities;
      return {
        id: row.id, kind: row.kind, name: row.name, paused: row.paused,
        polling: Boolean(connectors.of(row.kind)?.fetchSince),
        health: channelHealthView(row, now),
        facts: capabilities?.accountFacts(row.settings) ?? [],
        // Credentials a manager can replace are shown masked next to the form that replaces them.
        credentialFields: capabilities?.credentials?.fields ?? [],
        credentials: capabilities?.credentials ? maskedCredentials(row.credentialsEnc) : {},
        trackedSearches: capabilities?.trackedSearches ?? false,
        searches: searches.filter((s) => s.channelId === row.id),
        templates: capabilities?.templates ? formatTemplates(capabilities.templates.read(row.settings)) : null,
      };
    });
  }

  function maskedCredentials(sealed: string | null): Record<string, string> {
    if (!sealed) return {};
    try {
      return maskCredentials(JSON.parse(secretBox.open(sealed)) as Record<string, string>);
    } catch {
      return {};
    }
  }

  async function page(req: Request, res: Response, problems: Problems = {}) {
    const notice = typeof req.query.created === 'string' ? 'created' : typeof req.query.polled === 'string' ? 'polled' : null;
    res.render('settings-channels', {
      channels: await channelViews(), errors: problems.errors ?? {}, drafts: problems.drafts ?? {},
      notice, createdName: typeof req.query.name === 'string' ? req.query.name : '',
    });
  }

  /** Runs a change; a 4xx re-renders the page with the message at the form it came from. */
  async function change(req: Request, res: Response, formKey: string, run: () => Promise<string>) {
    try {
      const target = await run();
      res.redirect(303, target);
    } catch (err) {
      if (!(err instanceof HttpError) || err.status >= 500) throw err;
      const draft = Object.fromEntries(Object.entries(req.body ?? {}).filter(([k, v]) => typeof v === 'string' && !SECRET_FIELDS.includes(k))) as Record<string, string>;
      res.status(err.status);
      await page(req, res, { errors: { [formKey]: messageIn(err, res.locals.t) }, drafts: { [formKey]: draft } });
    }
  }

  /** After commit: the schedule follows the channel. If Redis is away, the worker's sweep repairs it. */
  async function follow(schedule: PollSchedule, pollNow = false) {
    try {
      await scheduler.sync(schedule);
      if (pollNow && !schedule.paused) await scheduler.pollNow(schedule.id);
    } catch (err) {
      logger.warn({ channelId: schedule.id, err: (err as Error).message }, 'could not update the poll schedule; the worker sweep will');
    }
  }

  const channelId = (req: Request) => {
    const parsed = idParam.safeParse(req.params);
    if (!parsed.success) throw new NotFound('Channel');
    return parsed.data.id;
  };
  const tx = <T>(fn: (t: Tx) => Promise<T>) => db.transaction().execute(fn);

  router.get(PAGE, (req, res) => page(req, res));

  router.get(`${PAGE}/:id/health`, async (req, res) => {
    const id = channelId(req);
    const channel = (await channelViews()).find((c) => c.id === id);
    if (!channel) throw new NotFound('Channel');
    res.render('partials/channel-health', { channel });
  });

  router.post(`${PAGE}/x`, (req, res) => change(req, res, 'new-x', async () => {
    const body = req.body as Record<string, string | undefined>;
    const searches = (body.searches ?? '').split(/\r?\n/).map((s) => s.trim()).filter(Boolean);
    const created = await tx((t) => createXChannel(t, secretBox, {
      name: body.name ?? '', apiBaseUrl: body.apiBaseUrl, userId: body.userId ?? '', handle: body.handle, pollIntervalSeconds: body.pollIntervalSeconds,
      bearerToken: body.bearerToken ?? '', appKey: body.appKey, appSecret: body.appSecret, accessToken: body.accessToken, accessSecret: body.accessSecret,
      searches,
    }, userActor(req.user!, req.ip)));
    await follow({ id: created.channelId, kind: 'x', paused: false, pollIntervalSeconds: created.pollIntervalSeconds });
    return `${PAGE}?created=${created.channelId}&name=${encodeURIComponent(created.name)}#channel-${created.channelId}`;
  }));

  for (const [action, paused] of [['pause', true], ['resume', false]] as const) {
    router.post(`${PAGE}/:id/${action}`, (req, res) => change(req, res, `channel-${req.params.id}`, async () => {
      const id = channelId(req);
      await follow(await tx((t) => setChannelPaused(t, id, paused, userActor(req.user!, req.ip))), !paused);
      return `${PAGE}#channel-${id}`;
    }));
  }

  router.post(`${PAGE}/:id/interval`, (req, res) => change(req, res, `channel-${req.params.id}`, async () => {
    const id = channelId(req);
    await follow(await tx((t) => setPollInterval(t, id, { pollIntervalSeconds: req.body?.pollIntervalSeconds }, userActor(req.user!, req.ip))));
    return `${PAGE}#channel-${id}`;
  }));

  router.post(`${PAGE}/:id/poll-now`, (req, res) => change(req, res, `channel-${req.params.id}`, async () => {
    const id = channelId(req);
    if (!(await channelViews()).some((c) => c.id === id && c.polling)) throw new NotFound('Channel');
    await scheduler.pollNow(id);
    return `${PAGE}?polled=${id}#channel-${id}`;
  }));

  router.post(`${PAGE}/:id/searches`, (req, res) => change(req, res, `searches-${req.params.id}`, async () => {
    const id = channelId(req);
    await tx((t) => addTrackedSearch(t, connectors, id, { query: req.body?.query }, userActor(req.user!, req.ip)));
    return `${PAGE}#channel-${id}`;
  }));

  router.post(`${PAGE}/:id/searches/:topicId/remove`, (req, res) => change(req, res, `searches-${req.params.id}`, async () => {
    const parsed = topicParam.safeParse(req.params);
    if (!parsed.success) throw new NotFound('Tracked search');
    await tx((t) => removeTrackedSearch(t, parsed.data.id, parsed.data.topicId, userActor(req.user!, req.ip)));
    return `${PAGE}#channel-${parsed.data.id}`;
  }));

  router.post(`${PAGE}/:id/templates`, (req, res) => change(req, res, `templates-${req.params.id}`, async () => {
    const id = channelId(req);
    const text = typeof req.body?.templates === 'string' ? req.body.templates : '';
    await tx((t) => setChannelTemplates(t, connectors, id, text, userActor(req.user!, req.ip)));
    return `${PAGE}#channel-${id}`;
  }));

  router.post(`${PAGE}/:id/credentials`, (req, res) => change(req, res, `credentials-${req.params.id}`, async () => {
    const id = channelId(req);
    const schedule = await tx((t) => replaceCredentials(t, services, id, req.body, userActor(req.user!, req.ip)));
    await follow(schedule, true);
    return `${PAGE}#channel-${id}`;
  }));

  return router;
}
