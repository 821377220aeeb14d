/**
 * The channels page for managers and admins: every channel with its traffic (last message in, last reply
 * out, failing replies), fetch health, pause/resume, poll interval, "fetch now", "test connection", tracked
 * searches, credentials, the API channel's ingest token, a pushed channel's callback URL and webhook events this
 * month, and one form per kind that connects a channel (the kinds whose connector has a setup, plus API
 * channels; each form is the partial channels/connect-<kind>, which also edits a connected channel).
 * Each change is one domain command (audited in its transaction); poll schedules follow after commit.
 */
import { Router, type Request, type Response } from 'express';
import type { Tx } from '../../db/client';
import { listAllTrackedSearches, listChannelsWithHealth, listChannelTraffic } from '../../db/repositories/channelHealth.repo';
import type { ChannelKind } from '../../db/schema';
import { createApiChannel } from '../../domain/channels/api/createApiChannel';
import { rotateIngestToken } from '../../domain/channels/api/rotateIngestToken';
import { type ConnectionTest, testChannelConnection } from '../../domain/channels/testConnection';
import { channelEditInput, editChannel } from '../../domain/channels/editChannel';
import { editChannelSettings, editFormValues, SECRET_FIELDS } from '../../domain/channels/editChannelSettings';
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
import { callbackUrlOf } from '../../domain/channels/webhooks/webhookEndpoints';
import { webhookEventsSince } from '../../db/repositories/webhookInbox.repo';
import { NotFound } from '../../errors';
import { listChatSites } from '../../db/repositories/chatSites.repo';
import type { BotDisclosure } from '../../db/schema';
import { channelBotInput, presentChannelBot, setChannelBot } from '../../domain/bot/channelBotSetting';
import { channelApprovalInput, setChannelApproval } from '../../domain/replies/approvalRules';
import { channelCaseFooterInput, setChannelCaseFooter } from '../../domain/channels/caseFooterSetting';
import { requirePermission } from '../../middleware/auth';
import { rerenderForm } from '../../middleware/errors';
import { pathId, uuidParam, validate } from '../../middleware/validate';
import { channelHealthView } from '../../presenters/channelHealth.presenter';
import type { Services } from '../../services';
import { isHtmx } from '../../middleware/htmx';

const PAGE = '/settings/channels';

/** What the page shows once after a change: the new channel's secrets, or a connection test's answer. */
type Shown = {
  secrets?: { channelId: string; name: string; kind?: ChannelKind; values: Record<string, string> };
  test?: { channelId: string } & ConnectionTest;
};

/** A form's lines as a list (the tracked searches a new channel starts with). */
const lines = (v: unknown) =>
  typeof v === 'string'
    ? v
        .split(/\r?\n/)
        .map((s) => s.trim())
        .filter(Boolean)
    : v;

export function channelRoutes(services: Services): Router {
  const { db, secretBox, logger, connectors, config, polls: scheduler } = services;
  const router = Router();
  router.use(PAGE, requirePermission('settings.manage'));
  router.param('id', uuidParam('Channel'));
  router.param('topicId', uuidParam('Tracked search'));

  /** The kinds a manager can connect here: API channels, and every kind whose connector reads a connect form. */
  const connectKinds: ChannelKind[] = ['api', ...connectors.all.filter((c) => c.setup).map((c) => c.kind)];

  async function channelViews() {
    const now = new Date();
    const [rows, searches, traffic, webhookEvents] = await Promise.all([
      listChannelsWithHealth(db),
      listAllTrackedSearches(db),
      listChannelTraffic(db, now),
      webhookEventsSince(db, monthStart(now)),
    ]);
    return rows.map((row) => {
      const capabilities = connectors.of(row.kind)?.capabilities;
      return {
        id: row.id,
        kind: row.kind,
        name: row.name,
        paused: row.paused,
        polling: Boolean(connectors.of(row.kind)?.fetchSince),
        health: channelHealthView(row, now),
        traffic: trafficView(traffic.find((t) => t.channelId === row.id)),
        webhookUrl: row.webhookUrl,
        repliesNeedApproval: row.repliesNeedApproval,
        // Pushed channels: where the sender delivers, and this month's events (X bills per event).
        webhook: connectors.of(row.kind)?.webhook
          ? { callbackUrl: callbackUrlOf(config.baseUrl, row.kind), eventsThisMonth: webhookEvents.get(row.id) ?? 0 }
          : null,
        facts: capabilities?.accountFacts(row.settings) ?? [],
        // Credentials a manager can replace are shown masked next to the form that replaces them.
        credentialFields: capabilities?.credentials?.fields ?? [],
        credentials: capabilities?.credentials ? maskedCredentials(row.credentialsEnc) : {},
        // Kinds connected on this page are edited with their connect form, prefilled (secrets left empty).
        edit: row.kind !== 'api' && connectKinds.includes(row.kind) ? editFormValues(row, openCredentials(row.credentialsEnc)) : null,
        trackedSearches: capabilities?.trackedSearches ?? false,
        searches: searches.filter((s) => s.channelId === row.id),
        templates: capabilities?.templates ? formatTemplates(capabilities.templates.read(row.settings)) : null,
        // bot first (036): only where the connector allows automatic replies
        bot: capabilities?.botReplies ? presentChannelBot({ ...row, botDisclosure: row.botDisclosure as BotDisclosure }) : null,
      };
    });
  }

  function openCredentials(sealed: string | null): Record<string, string> {
    if (!sealed) return {};
    try {
      return JSON.parse(secretBox.open(sealed)) as Record<string, string>;
    } catch {
      return {};
    }
  }
  const maskedCredentials = (sealed: string | null) => maskCredentials(openCredentials(sealed));

  async function page(req: Request, res: Response, shown: Shown = {}) {
    const notice = typeof req.query.created === 'string' ? 'created' : typeof req.query.polled === 'string' ? 'polled' : null;
    res.render('settings-channels', {
      channels: await channelViews(),
      helpSites: (await listChatSites(db)).map((site) => ({ id: site.id, name: site.name })),
      connectKinds,
      shown,
      notice,
      createdName: typeof req.query.name === 'string' ? req.query.name : '',
    });
  }
  /** A refused change re-renders the page with the problem at the form it came from (secrets never echoed). */
  const refused = (form: (req: Request) => string) => rerenderForm(form, (req, res) => page(req, res), SECRET_FIELDS);
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

  /** One route for every kind: the connector's setup reads the form; the API channel has its own command. */
  router.post(
    `${PAGE}/:kind`,
    refused((req) => `new-${String(req.params.kind)}`),
    async (req, res) => {
      const kind = connectKinds.find((k) => k === req.params.kind);
      const connector = kind && connectors.of(kind);
      if (!kind || !connector) throw new NotFound('Channel kind');
      const actor = userActor(req.user!, req.ip);
      // An empty optional field means "not given" (the connector's default applies).
      const body = Object.fromEntries(Object.entries((req.body ?? {}) as Record<string, unknown>).filter(([, v]) => v !== ''));
      if (kind === 'api') {
        const created = await tx((t) =>
          createApiChannel(t, secretBox, { name: String(body.name ?? ''), webhookUrl: body.webhookUrl ? String(body.webhookUrl) : null }, actor),
        );
        const { channelId, ingestToken, webhookSecret } = created;
        res.status(201);
        return page(req, res, { secrets: { channelId, name: String(body.name), values: { ingestToken, webhookSecret } } });
      }
      const created = await tx((t) => connectChannel(t, secretBox, connector, { ...body, searches: lines(body.searches) }, actor));
      if (connector.fetchSince) await follow({ id: created.channelId, kind, paused: false, pollIntervalSeconds: created.pollIntervalSeconds });
      if (Object.keys(created.shownOnce).length) {
        // A pushed channel's sender needs the callback URL next to the verify token.
        const callbackUrl = connector.webhook ? callbackUrlOf(config.baseUrl, kind) : null;
        res.status(201);
        return page(req, res, {
          secrets: { channelId: created.channelId, name: created.name, kind, values: { ...(callbackUrl ? { callbackUrl } : {}), ...created.shownOnce } },
        });
      }
      res.redirect(303, `${PAGE}?created=${created.channelId}&name=${encodeURIComponent(created.name)}#channel-${created.channelId}`);
    },
  );

  /** The remote side's answer in words, at the channel (the fragment for htmx, else the whole page). */
  router.post(`${PAGE}/:id/test`, async (req, res) => {
    const id = pathId(req);
    const test = { channelId: id, ...(await testChannelConnection(db, secretBox, connectors, id)) };
    if (isHtmx(req)) return res.render('partials/channels/connection-test', { test });
    await page(req, res, { test });
  });

  router.post(
    `${PAGE}/:id/details`,
    refused((req) => `details-${String(req.params.id)}`),
    validate(channelEditInput, (req) => ({ ...req.body, webhookUrl: req.body?.webhookUrl === '' ? null : req.body?.webhookUrl })),
    async (req, res) => {
      const id = pathId(req);
      await tx((t) => editChannel(t, id, res.locals.input, userActor(req.user!, req.ip)));
      res.redirect(303, `${PAGE}#channel-${id}`);
    },
  );

  /** Settings and credentials through the kind's connect form (empty secret fields keep the stored ones); polls follow at once. */
  router.post(
    `${PAGE}/:id/settings`,
    refused((req) => `edit-${String(req.params.id)}`),
    async (req, res) => {
      const id = pathId(req);
      const form = (req.body ?? {}) as Record<string, unknown>;
      const schedule = await tx((t) => editChannelSettings(t, services, id, form, userActor(req.user!, req.ip)));
      if (connectors.of(schedule.kind)?.fetchSince) await follow(schedule, true);
      res.redirect(303, `${PAGE}#channel-${id}`);
    },
  );

  /** Four-eyes on this channel: its replies wait for an approver (domain/replies/approvalRules.ts). */
  router.post(
    `${PAGE}/:id/approval`,
    refused(atChannel),
    validate(channelApprovalInput, (req) => ({ ...req.body, channelId: req.params.id })),
    async (req, res) => {
      const id = pathId(req);
      await tx((t) => setChannelApproval(t, res.locals.input, userActor(req.user!, req.ip)));
      res.redirect(303, `${PAGE}#channel-${id}`);
    },
  );

  /** The case number and status link in each conversation's first answer on this channel (domain/channels/caseFooterSetting.ts). */
  router.post(
    `${PAGE}/:id/case-footer`,
    refused(atChannel),
    validate(channelCaseFooterInput, (req) => ({ ...req.body, channelId: req.params.id })),
    async (req, res) => {
      const id = pathId(req);
      await tx((t) => setChannelCaseFooter(t, res.locals.input, userActor(req.user!, req.ip)));
      res.redirect(303, `${PAGE}#channel-${id}`);
    },
  );

  /** The assistant answering new conversations first (domain/bot/channelBotSetting.ts); the form's fields as the API's `bot`. */
  router.post(
    `${PAGE}/:id/bot`,
    refused(atChannel),
    validate(channelBotInput, (req) => ({
      channelId: req.params.id,
      bot: {
        enabled: req.body.botEnabled === 'on',
        maxTurns: Number(req.body.botMaxTurns),
        helpSiteId: req.body.helpSiteId || null,
        disclosure: { de: req.body['bot.de'] ?? '', en: req.body['bot.en'] ?? '' },
      },
    })),
    async (req, res) => {
      await tx((t) => setChannelBot(t, res.locals.input, userActor(req.user!, req.ip), connectors));
      res.redirect(303, `${PAGE}#channel-${pathId(req)}`);
    },
  );

  router.post(`${PAGE}/:id/ingest-token`, refused(atChannel), async (req, res) => {
    const id = pathId(req);
    const { ingestToken } = await tx((t) => rotateIngestToken(t, id, userActor(req.user!, req.ip)));
    const channel = (await channelViews()).find((c) => c.id === id);
    await page(req, res, { secrets: { channelId: id, name: channel?.name ?? '', values: { ingestToken } } });
  });

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

/** Where this calendar month (UTC) began: the webhook events shown are counted from here. */
const monthStart = (now: Date) => new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1));

/** Traffic as the page shows it: the failing rate of the last day's replies in whole percent (null without replies). */
function trafficView(t: Awaited<ReturnType<typeof listChannelTraffic>>[number] | undefined) {
  const replies = t?.repliesDay ?? 0;
  const failed = t?.failedDay ?? 0;
  return {
    lastInboundAt: t?.lastInboundAt ?? null,
    lastReplyAt: t?.lastReplyAt ?? null,
    lastFailureAt: t?.lastFailureAt ?? null,
    lastFailure: t?.lastFailure ?? null,
    repliesDay: replies,
    failingPercent: replies ? Math.round((failed / replies) * 100) : null,
  };
}
