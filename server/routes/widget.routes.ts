/**
 * The public widget API under /widget/v1 (issue #18, shared contract WEBCHAT.md): no session, no cookies, no
 * CSRF. Each request is checked against its chat site's allowed origins (an Origin not on the list: 403; a
 * listed one gets Access-Control-Allow-Origin for itself, Vary: Origin; preflights are answered), rate-limited
 * per address and per visitor in Redis (429 + Retry-After), and its body read as JSON of at most 16 kB. Errors
 * answer {error} in the request's language (`lang` de|en, default de). A chat's calls carry its visitor token as
 * `Authorization: Bearer`; only the event stream takes `?token=` (EventSource cannot set headers; the request
 * log never records a query). A token opens its own chat only: anything else is 404.
 */
import express, { Router, type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import { z } from 'zod';
import { hashToken } from '../crypto/tokens';
import { findChatSite, type ChatSite } from '../db/repositories/chatSites.repo';
import { findChatSession, findSessionByTokenHash, type ChatSession } from '../db/repositories/chatSessions.repo';
import type { Locale } from '../db/schema';
import { completeDisclosure } from '../domain/chatSites/siteTexts';
import { inTransaction } from '../domain/effects';
import { assertStorable } from '../domain/storableText';
import { requestCallback } from '../domain/callbacks/requestCallback';
import { callbackOptions } from '../domain/callbacks/siteCalendar';
import { siteAvailability } from '../domain/webchat/availability';
import { visitorChatView } from '../domain/webchat/chatView';
import { endChat, VISITOR_SIDE_ROLE } from '../domain/webchat/endChat';
import { INVITATION_HOLD_SECONDS, offerInvitation } from '../domain/webchat/invitations';
import { createOfflineCase } from '../domain/webchat/offlineCase';
import { originAllowed } from '../domain/webchat/origins';
import { startChat } from '../domain/webchat/startChat';
import { requestTranscript, sendTranscript, TRANSCRIPT_EVERY_SECONDS } from '../domain/webchat/transcript';
import { langOf, pageSchema, visitorActor, visitorIdSchema } from '../domain/webchat/visitorInput';
import { visitorRead, visitorTyping } from '../domain/webchat/visitorMessages';
import { answerBot, visitorWrites } from '../domain/bot/botChat';
import { Forbidden, HttpError, messageIn, NotFound } from '../errors';
import { translator } from '../i18n/translate';
import { createVisitorStreams } from '../live/visitorStreams';
import { toHttpError } from '../middleware/errors';
import { createWidgetLimiter, INVITATIONS_HELD_PER_ADDRESS, WIDGET_LIMITS, type WidgetLimit } from '../middleware/widgetRateLimit';
import { parseInput } from '../domain/parseInput';
import type { Services } from '../services';

export const WIDGET_BODY_LIMIT = '16kb';

class TooManyRequests extends HttpError {
  constructor(readonly retryAfterSeconds: number) {
    super(429, `Too many requests; retry in ${retryAfterSeconds} s`);
    this.showing('widget.error.tooMany', { seconds: retryAfterSeconds });
  }
}

type Widget = { site: ChatSite; session?: ChatSession };
const widgetOf = (res: Response) => res.locals.widget as Widget;

const UUID = z.uuid();
const availabilityQuery = z.object({ visitorId: visitorIdSchema.optional(), page: pageSchema.optional(), lang: z.string().optional() });
const invitationInput = z.object({ visitorId: visitorIdSchema, page: pageSchema.optional(), lang: z.string().optional() }).strict();

/** The request's language for texts and errors: `lang` in the query or body, else the chat's, else German. */
function langOfRequest(req: Request, res: Response): Locale {
  const asked = req.query.lang ?? (req.body as { lang?: unknown } | undefined)?.lang;
  if (asked === 'de' || asked === 'en') return asked;
  return (res.locals.widget as Widget | undefined)?.session?.language ?? langOf(asked);
}

function bearerOf(req: Request, allowQuery: boolean): string | null {
  const header = /^Bearer\s+(\S+)$/i.exec(req.get('authorization') ?? '');
  if (header) return header[1]!;
  return allowQuery && typeof req.query.token === 'string' ? req.query.token : null;
}

export function widgetRoutes({ db, dispatcher, redis, config, live, logger, secretBox }: Services): Router {
  const router = Router();
  const limiter = createWidgetLimiter(redis, config.redisPrefix);
  const streams = createVisitorStreams({ db, live, logger });

  const limit = async (l: WidgetLimit, who: string, address = false) => {
    const wait = address ? await limiter.hitAddress(l, who) : await limiter.hit(l, who);
    if (wait > 0) throw new TooManyRequests(wait);
  };

  /** The Origin check and the CORS answer for it (no Origin: not a browser's cross-site call, nothing to allow). */
  const allowOrigin = (req: Request, res: Response, site: ChatSite) => {
    res.vary('Origin');
    const origin = req.get('origin');
    if (origin === undefined) return;
    if (!originAllowed(site.allowedOrigins, origin))
      throw new Forbidden(`Origin ${origin.slice(0, 200)} may not use this chat site`).showing('widget.error.origin');
    res.set({
      'Access-Control-Allow-Origin': origin,
      'Access-Control-Allow-Methods': 'GET, POST, OPTIONS',
      'Access-Control-Allow-Headers': 'Content-Type, Authorization, Last-Event-ID',
      'Access-Control-Max-Age': '600',
    });
  };

  const findSite = async (id: string) => {
    const site = UUID.safeParse(id).success ? await findChatSite(db, id) : undefined;
    if (!site) throw new NotFound('Chat site');
    return site;
  };

  /** Site routes: the site, its origin check, the visitor's limit (by visitorId when the request names one). */
  const siteRoute: RequestHandler = async (req, res, next) => {
    const site = await findSite(String(req.params.siteId));
    res.locals.widget = { site } satisfies Widget;
    allowOrigin(req, res, site);
    const visitorId = req.query.visitorId ?? (req.body as { visitorId?: unknown } | undefined)?.visitorId;
    if (typeof visitorId === 'string') await limit(WIDGET_LIMITS.perVisitor, `${site.id}:${visitorId.slice(0, 64)}`);
    next();
  };

  /** Chat routes: the visitor token opens its own chat only (anything else: 404); then the site's origin check. */
  const chatRoute =
    (allowQueryToken = false): RequestHandler =>
    async (req, res, next) => {
      const token = bearerOf(req, allowQueryToken);
      const session = token ? await findSessionByTokenHash(db, hashToken(token)) : undefined;
      if (!session || session.conversationId !== req.params.id) throw new NotFound('Chat');
      const site = await findSite(session.siteId);
      res.locals.widget = { site, session } satisfies Widget;
      allowOrigin(req, res, site);
      await limit(WIDGET_LIMITS.perVisitor, session.conversationId);
      next();
    };

  const creation: RequestHandler = async (req, _res, next) => {
    await limit(WIDGET_LIMITS.creationsPerAddress, req.ip ?? 'unknown', true);
    next();
  };

  router.use(async (req, res, next) => {
    // the widget runs on other sites: its answers may be read cross-origin (CORS decides which origins)
    res.set('Cross-Origin-Resource-Policy', 'cross-origin');
    if (req.method !== 'OPTIONS') await limit(WIDGET_LIMITS.perAddress, req.ip ?? 'unknown', true);
    next();
  });
  router.use(express.json({ limit: WIDGET_BODY_LIMIT }), (req, _res, next) => {
    assertStorable(req.body, 'request');
    assertStorable(req.query, 'query');
    next();
  });

  // ---- preflights
  router.options('/sites/:siteId/*splat', async (req, res) => {
    allowOrigin(req, res, await findSite(String(req.params.siteId)));
    res.status(204).end();
  });
  router.options('/conversations/:id/*splat', async (req, res) => {
    const session = UUID.safeParse(req.params.id).success ? await findChatSession(db, String(req.params.id)) : undefined;
    if (!session) throw new NotFound('Chat');
    allowOrigin(req, res, await findSite(session.siteId));
    res.status(204).end();
  });

  // ---- the site
  router.get('/sites/:siteId/config', siteRoute, (req, res) => {
    const { site } = widgetOf(res);
    const lang = langOfRequest(req, res);
    const t = translator(lang);
    const own = site.texts[lang] ?? {};
    res.json({
      siteId: site.id,
      name: site.name,
      colour: site.colour,
      lang,
      texts: {
        title: own.title || t('widget.text.title'),
        greeting: own.greeting || t('widget.text.greeting'),
        offline: own.offline || t('widget.text.offline'),
        consent: own.consent || t('widget.text.consent'),
      },
      prechat: { name: site.prechatName, email: site.prechatEmail },
      // bot first: the widget says before the chat starts that an automatic assistant answers first (EU AI Act Art. 50)
      bot: site.botEnabled ? { disclosure: completeDisclosure(site.botDisclosure)[lang] } : null,
    });
  });

  router.get('/sites/:siteId/availability', siteRoute, async (req, res) => {
    const q = parseInput(availabilityQuery, req.query, 'availability query');
    res.json(await siteAvailability(db, widgetOf(res).site, { visitorId: q.visitorId ?? null, page: q.page || null }, new Date()));
  });

  router.post('/sites/:siteId/invitations', siteRoute, async (req, res) => {
    const ip = req.ip ?? 'unknown';
    await limit(WIDGET_LIMITS.invitationsPerAddress, ip, true);
    const input = parseInput(invitationInput, req.body, 'invitation request');
    const siteId = widgetOf(res).site.id;
    const wait = await limiter.holdAddress(siteId, ip, input.visitorId, { max: INVITATIONS_HELD_PER_ADDRESS, holdSeconds: INVITATION_HOLD_SECONDS });
    if (wait > 0) throw new TooManyRequests(wait);
    const offer = await db
      .transaction()
      .execute((tx) => offerInvitation(tx, siteId, { visitorId: input.visitorId, page: input.page || null }, new Date()))
      .catch(async (err: unknown) => {
        await limiter.release(siteId, ip, input.visitorId);
        throw err;
      });
    // no invitation (a held one would have been offered again): the address's place is free again
    if (!offer.invite) await limiter.release(siteId, ip, input.visitorId);
    if (offer.invite) res.status(201).json({ invite: true, invitationId: offer.invitationId, expiresAt: offer.expiresAt.toISOString() });
    else res.status(200).json(offer);
  });

  router.post('/sites/:siteId/conversations', siteRoute, creation, async (req, res) => {
    const started = await inTransaction(db, dispatcher, (tx, effects) =>
      startChat(tx, effects, widgetOf(res).site, req.body, { ip: req.ip ?? null, now: new Date(), baseUrl: config.baseUrl }),
    );
    res.status(201).json(started);
  });

  router.post('/sites/:siteId/offline', siteRoute, creation, async (req, res) => {
    const made = await inTransaction(db, dispatcher, (tx, effects) =>
      createOfflineCase(tx, effects, widgetOf(res).site, req.body, { ip: req.ip ?? null, now: new Date() }),
    );
    res.status(201).json(made);
  });

  router.get('/sites/:siteId/callbacks/options', siteRoute, async (_req, res) => {
    res.json(await callbackOptions(db, widgetOf(res).site, new Date()));
  });

  router.post('/sites/:siteId/callbacks', siteRoute, creation, async (req, res) => {
    const made = await inTransaction(db, dispatcher, (tx, effects) =>
      requestCallback(tx, effects, widgetOf(res).site, req.body, { ip: req.ip ?? null, now: new Date() }),
    );
    res.status(201).json({ caseNumber: made.caseNumber, dueAt: made.dueAt.toISOString() });
  });

  // ---- the visitor's chat
  router.get('/conversations/:id/messages', chatRoute(), async (_req, res) => {
    res.json(await visitorChatView(db, widgetOf(res).session!));
  });

  router.post('/conversations/:id/messages', chatRoute(), async (req, res) => {
    const { site, session } = widgetOf(res);
    const by = { ip: req.ip ?? null, now: new Date(), baseUrl: config.baseUrl };
    const posted = await inTransaction(db, dispatcher, (tx, effects) => visitorWrites(tx, effects, site, session!.conversationId, req.body, by));
    res.status(201).json({ id: posted.id, at: posted.at.toISOString() });
  });

  /** The visitor's answer to the bot: "yes" (it helped: closed as self-served), "no" or "human" (to a person at once). */
  router.post('/conversations/:id/bot', chatRoute(), async (req, res) => {
    const { site, session } = widgetOf(res);
    const by = { actor: visitorActor(req.ip ?? null), now: new Date() };
    res.json(await inTransaction(db, dispatcher, (tx, effects) => answerBot(tx, effects, site, session!.conversationId, req.body, by)));
  });

  /** At most one typing (or read) event per chat every 2 s, however often the widget calls (Redis SET NX EX). */
  const firstIn2s = (kind: 'typing' | 'read', conversationId: string) => async () =>
    (await redis.set(`${config.redisPrefix}:widget:${kind}:${conversationId}`, '1', 'EX', 2, 'NX')) !== null;

  router.post('/conversations/:id/typing', chatRoute(), async (_req, res) => {
    const session = widgetOf(res).session!;
    await visitorTyping(dispatcher, session, firstIn2s('typing', session.conversationId));
    res.status(204).end();
  });

  router.post('/conversations/:id/read', chatRoute(), async (req, res) => {
    const session = widgetOf(res).session!;
    await visitorRead(db, dispatcher, session, req.body, new Date(), firstIn2s('read', session.conversationId));
    res.status(204).end();
  });

  router.post('/conversations/:id/end', chatRoute(), async (req, res) => {
    const id = widgetOf(res).session!.conversationId;
    await inTransaction(db, dispatcher, (tx, effects) =>
      endChat(tx, effects, { conversationId: id, reason: 'customer' }, { actor: visitorActor(req.ip ?? null), role: VISITOR_SIDE_ROLE }),
    );
    res.json({ ended: true });
  });

  router.post('/conversations/:id/transcript', chatRoute(), creation, async (req, res) => {
    const session = widgetOf(res).session!;
    // one request per chat every 10 minutes; a refused request (bad input, all sent) does not use it up
    const gate = `${config.redisPrefix}:widget:transcript:${session.conversationId}`;
    if ((await redis.set(gate, '1', 'EX', TRANSCRIPT_EVERY_SECONDS, 'NX')) === null) {
      const seconds = Math.max(1, await redis.ttl(gate));
      throw new TooManyRequests(seconds).showing('widget.error.transcriptAgain', { minutes: Math.ceil(seconds / 60) });
    }
    const to = await db
      .transaction()
      .execute((tx) => requestTranscript(tx, session, req.body, { ip: req.ip ?? null }))
      .catch(async (err: unknown) => {
        await redis.del(gate);
        throw err;
      });
    res.status(202).end();
    sendTranscript(db, secretBox, session, to).catch((err: Error) =>
      req.log.warn({ err: err.message, conversationId: session.conversationId }, 'chat transcript not mailed'),
    );
  });

  router.get('/conversations/:id/events', chatRoute(true), (req, res) => {
    const lastEventId = req.get('last-event-id') ?? (typeof req.query.lastEventId === 'string' ? req.query.lastEventId : null);
    if (!streams.open(res, widgetOf(res).session!, lastEventId)) throw new TooManyRequests(30);
  });

  // ---- errors, as {error} in the request's language
  router.use((err: unknown, req: Request, res: Response, _next: NextFunction) => {
    const known = toHttpError(err);
    if (!known) req.log.error({ err: err instanceof Error ? { message: err.message, stack: err.stack } : err, path: req.path }, 'widget request failed');
    if (res.headersSent) return void res.end();
    const t = translator(langOfRequest(req, res));
    if (known instanceof TooManyRequests) res.set('Retry-After', String(known.retryAfterSeconds));
    const fields = (known?.details as { fields?: unknown } | undefined)?.fields;
    res.status(known?.status ?? 500).json({ error: known ? messageIn(known, t) : t('error.internal'), ...(fields ? { fields } : {}) });
  });
  return router;
}
