/**
 * The channels page for managers and admins: every channel with its fetch health, pause/resume, poll
 * interval, "fetch now", tracked searches, X credentials, and the form that connects an X account.
 * Each change is one domain command (audited in its transaction); poll schedules follow after commit.
 */
import { Router, type Request, type Response } from 'express';
import type { Tx } from '../../db/client';
import { listAllTrackedSearches, listChannelsWithHealth } from '../../db/repositories/channelHealth.repo';
import { userActor } from '../../domain/audit/actor';
import {
  addTrackedSearch,
  removeTrackedSearch,
  replaceCredentials,
  setChannelPaused,
  setPollInterval,
  type PollSchedule,
} from '../../domain/channels/channelPolling';
import { formatTemplates, setChannelTemplates } from '../../domain/channels/messageTemplates';
import { connectChannel } from '../../domain/channels/connectChannel';
import { maskCredentials } from '../../domain/channels/maskCredentials';
import { NotFound } from '../../errors';
import { requirePermission } from '../../middleware/auth';
import { rerenderForm } from '../../middleware/errors';
import { pathId, uuidParam } from '../../middleware/validate';
import { channelHealthView } from '../../presenters/channelHealth.presenter';
import type { Services } from '../../services';

const PAGE = '/settings/channels';
/** Secrets are never echoed back into a form, not even after a validation error. */
const SECRET_FIELDS = ['bearerToken', 'appKey', 'appSecret', 'accessToken', 'accessSecret'];

export function channelRoutes(services: Services): Router {
  const { db, secretBox, logger, connectors, polls: scheduler } = services;
  const router = Router();
  router.use(PAGE, requirePermission('settings.manage'));
  router.param('id', uuidParam('Channel'));
  router.param('topicId', uuidParam('Tracked search'));

  async function channelViews() {
    const [rows, searches] = await Promise.all([listChannelsWithHealth(db), listAllTrackedSearches(db)]);
    const now = new Date();
    return rows.map((row) => {
      const capabilities = connectors.of(row.kind)?.capabilities;
      return {
        id: row.id,
        kind: row.kind,
        name: row.name,
        paused: row.paused,
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

  async function page(req: Request, res: Response) {
    const notice = typeof req.query.created === 'string' ? 'created' : typeof req.query.polled === 'string' ? 'polled' : null;
    res.render('settings-channels', {
      channels: await channelViews(),
      notice,
      createdName: typeof req.query.name === 'string' ? req.query.name : '',
    });
  }
  /** A refused change re-renders the page with the problem at the form it came from (secrets never echoed). */
  const refused = (form: (req: Request) => string) => rerenderForm(form, page, SECRET_FIELDS);
  const atChannel = (req: Request) => `channel-${String(req.params.id)}`;

  /** After commit: the schedule follows the channel. If Redis is away, the worker's sweep repairs it. */
  async function follow(schedule: PollSchedule, pollNow = false) {
    try {
      await scheduler.sync(schedule);
      if (pollNow && !schedule.paused) await scheduler.pollNow(schedule.id);
    } catch (err) {
      logger.warn({ channelId: schedule.id, err: (err as Error).message }, 'could not update the poll schedule; the worker sweep will');
    }
  }

  const tx = <T>(fn: (t: Tx) => Promise<T>) => db.transaction().execute(fn);

  router.get(PAGE, (req, res) => page(req, res));

  router.get(`${PAGE}/:id/health`, async (req, res) => {
    const id = req.params.id;
    const channel = (await channelViews()).find((c) => c.id === id);
    if (!channel) throw new NotFound('Channel');
    res.render('partials/channel-health', { channel });
  });

  router.post(
    `${PAGE}/x`,
    refused(() => 'new-x'),
    async (req, res) => {
      const body = req.body as Record<string, string | undefined>;
      const searches = (body.searches ?? '')
        .split(/\r?\n/)
        .map((s) => s.trim())
        .filter(Boolean);
      const created = await tx((t) =>
        connectChannel(
          t,
          secretBox,
          connectors.of('x')!,
          {
            name: body.name ?? '',
            apiBaseUrl: body.apiBaseUrl,
            userId: body.userId ?? '',
            handle: body.handle,
            pollIntervalSeconds: body.pollIntervalSeconds,
            bearerToken: body.bearerToken ?? '',
            appKey: body.appKey,
            appSecret: body.appSecret,
            accessToken: body.accessToken,
            accessSecret: body.accessSecret,
            searches,
          },
          userActor(req.user!, req.ip),
        ),
      );
      await follow({ id: created.channelId, kind: 'x', paused: false, pollIntervalSeconds: created.pollIntervalSeconds });
      res.redirect(303, `${PAGE}?created=${created.channelId}&name=${encodeURIComponent(created.name)}#channel-${created.channelId}`);
    },
  );

  for (const [action, paused] of [
    ['pause', true],
    ['resume', false],
  ] as const) {
    router.post(`${PAGE}/:id/${action}`, refused(atChannel), async (req, res) => {
      const id = pathId(req);
      await follow(await tx((t) => setChannelPaused(t, id, paused, userActor(req.user!, req.ip))), !paused);
      res.redirect(303, `${PAGE}#channel-${id}`);
    });
  }

  router.post(`${PAGE}/:id/interval`, refused(atChannel), async (req, res) => {
    const id = pathId(req);
    await follow(await tx((t) => setPollInterval(t, id, { pollIntervalSeconds: req.body?.pollIntervalSeconds }, userActor(req.user!, req.ip))));
    res.redirect(303, `${PAGE}#channel-${id}`);
  });

  router.post(`${PAGE}/:id/poll-now`, refused(atChannel), async (req, res) => {
    const id = pathId(req);
    if (!(await channelViews()).some((c) => c.id === id && c.polling)) throw new NotFound('Channel');
    await scheduler.pollNow(id);
    res.redirect(303, `${PAGE}?polled=${id}#channel-${id}`);
  });

  const atSearches = (req: Request) => `searches-${String(req.params.id)}`;
  router.post(`${PAGE}/:id/searches`, refused(atSearches), async (req, res) => {
    const id = pathId(req);
    await tx((t) => addTrackedSearch(t, connectors, id, { query: req.body?.query }, userActor(req.user!, req.ip)));
    res.redirect(303, `${PAGE}#channel-${id}`);
  });

  router.post(`${PAGE}/:id/searches/:topicId/remove`, refused(atSearches), async (req, res) => {
    const id = pathId(req);
    await tx((t) => removeTrackedSearch(t, id, pathId(req, 'topicId'), userActor(req.user!, req.ip)));
    res.redirect(303, `${PAGE}#channel-${id}`);
  });

  router.post(
    `${PAGE}/:id/templates`,
    refused((req) => `templates-${String(req.params.id)}`),
    async (req, res) => {
      const id = pathId(req);
      const text = typeof req.body?.templates === 'string' ? req.body.templates : '';
      await tx((t) => setChannelTemplates(t, connectors, id, text, userActor(req.user!, req.ip)));
      res.redirect(303, `${PAGE}#channel-${id}`);
    },
  );

  router.post(
    `${PAGE}/:id/credentials`,
    refused((req) => `credentials-${String(req.params.id)}`),
    async (req, res) => {
      const id = pathId(req);
      const schedule = await tx((t) => replaceCredentials(t, services, id, req.body, userActor(req.user!, req.ip)));
      await follow(schedule, true);
      res.redirect(303, `${PAGE}#channel-${id}`);
    },
  );

  return router;
}
