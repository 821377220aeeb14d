/**
 * Website chat in the console (managers, admins): the chat sites, a form for a new one, and each site's own page
 * with its form and embed snippet. The form is flat (origins and invitation rules one per line); it is read into
 * the command's input here, and a site is shown in it the same way.
 */
import { Router, type Request, type Response } from 'express';
import { findChatSite, listChatSites, type ChatSite } from '../../db/repositories/chatSites.repo';
import { listCalendars } from '../../db/repositories/sla.repo';
import { listTeams } from '../../db/repositories/teams.repo';
import { chatSiteChangeInput, chatSiteInput, PRECHAT_CHOICES, SITE_DEFAULTS } from '../../domain/chatSites/chatSiteInput';
import { changeChatSite, createChatSite } from '../../domain/chatSites/saveChatSite';
import { inTransaction } from '../../domain/effects';
import { NotFound } from '../../errors';
import { requirePermission } from '../../middleware/auth';
import { rerenderForm } from '../../middleware/errors';
import { pathId, uuidParam, validate } from '../../middleware/validate';
import { presentChatSite } from '../../presenters/chatSite.presenter';
import type { Services } from '../../services';
import { actingUser } from '../actor';

const LOCALES = ['de', 'en'] as const;
const TEXTS = ['title', 'greeting', 'offline', 'consent'] as const;

const lines = (v: unknown) =>
  String(v ?? '')
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter(Boolean);
const numberOf = (v: unknown) => (v === undefined || v === '' ? undefined : Number(v));
/** `/checkout* 30`: the pattern, then the seconds. */
const ruleOf = (line: string) => {
  const m = /^(\S+)\s+(\S+)$/.exec(line);
  return m ? { urlPattern: m[1], afterSeconds: numberOf(m[2]) } : { urlPattern: line, afterSeconds: undefined };
};

/** The form as the command's input. */
function siteForm(req: Request) {
  const b = (req.body ?? {}) as Record<string, unknown>;
  return {
    ...(req.params.siteId ? { siteId: req.params.siteId } : {}),
    name: b.name,
    allowedOrigins: lines(b.allowedOrigins),
    routing: { mode: b.routingMode, teamId: b.teamId || null },
    calendarId: b.calendarId || null,
    colour: b.colour,
    texts: Object.fromEntries(LOCALES.map((l) => [l, Object.fromEntries(TEXTS.map((n) => [n, b[`${l}.${n}`]]))])),
    prechat: { name: b.prechatName, email: b.prechatEmail },
    invitationRules: lines(b.invitationRules).map(ruleOf),
    maxWaitSeconds: numberOf(b.maxWaitSeconds),
    targetSeconds: numberOf(b.targetSeconds),
    targetPercent: numberOf(b.targetPercent),
    inactivityMinutes: numberOf(b.inactivityMinutes),
    // the form always shows the checkbox: unchecked (absent) is off
    bot: { enabled: b.botEnabled === 'on', maxTurns: numberOf(b.botMaxTurns), disclosure: Object.fromEntries(LOCALES.map((l) => [l, b[`bot.${l}`]])) },
    callbackMinutes: numberOf(b.callbackMinutes),
  };
}

/** A site as the form shows it (a new one: the defaults a new site gets). */
function formValues(site: ReturnType<typeof presentChatSite>): Record<string, string> {
  return {
    name: site.name,
    allowedOrigins: site.allowedOrigins.join('\n'),
    routingMode: site.routing.mode,
    teamId: site.routing.teamId ?? '',
    calendarId: site.calendarId ?? '',
    colour: site.colour,
    ...Object.fromEntries(LOCALES.flatMap((l) => TEXTS.map((n) => [`${l}.${n}`, site.texts[l][n]]))),
    prechatName: site.prechat.name,
    prechatEmail: site.prechat.email,
    invitationRules: site.invitationRules.map((r) => `${r.urlPattern} ${r.afterSeconds}`).join('\n'),
    maxWaitSeconds: String(site.maxWaitSeconds),
    targetSeconds: String(site.targetSeconds),
    targetPercent: String(site.targetPercent),
    inactivityMinutes: String(site.inactivityMinutes),
    botEnabled: site.bot.enabled ? 'on' : '',
    botMaxTurns: String(site.bot.maxTurns),
    ...Object.fromEntries(LOCALES.map((l) => [`bot.${l}`, site.bot.disclosure[l]])),
    callbackMinutes: String(site.callbackMinutes),
  };
}

/** The form of a new site: empty texts (their defaults apply), the rest as a new site gets it. */
const NEW_SITE_FORM = {
  name: '',
  allowedOrigins: '',
  routingMode: SITE_DEFAULTS.routing.mode,
  teamId: '',
  calendarId: '',
  colour: SITE_DEFAULTS.colour,
  prechatName: SITE_DEFAULTS.prechat.name,
  prechatEmail: SITE_DEFAULTS.prechat.email,
  invitationRules: '',
  maxWaitSeconds: String(SITE_DEFAULTS.maxWaitSeconds),
  targetSeconds: String(SITE_DEFAULTS.targetSeconds),
  targetPercent: String(SITE_DEFAULTS.targetPercent),
  inactivityMinutes: String(SITE_DEFAULTS.inactivityMinutes),
  botEnabled: '',
  botMaxTurns: String(SITE_DEFAULTS.bot.maxTurns),
  'bot.de': '',
  'bot.en': '',
  callbackMinutes: String(SITE_DEFAULTS.callbackMinutes),
};

export function chatSiteRoutes({ db, dispatcher, config }: Services): Router {
  const router = Router();
  router.param('siteId', uuidParam('Chat site'));
  const manage = requirePermission('settings.manage');
  const present = (site: ChatSite) => presentChatSite(site, config.baseUrl);
  const choices = async () => {
    const [teams, calendars] = await Promise.all([listTeams(db), listCalendars(db)]);
    return { teams, calendars: calendars.map((c) => ({ id: c.id, name: c.name, retired: c.retiredAt !== null })), prechatChoices: PRECHAT_CHOICES };
  };

  const listPage = async (_req: Request, res: Response) => {
    const sites = (await listChatSites(db)).map(present);
    res.render('settings-chat-sites', { sites, newForm: NEW_SITE_FORM, ...(await choices()) });
  };
  const sitePage = async (req: Request, res: Response) => {
    const site = await findChatSite(db, pathId(req, 'siteId'));
    if (!site) throw new NotFound('Chat site');
    const shown = present(site);
    res.render('settings-chat-site', { site: shown, form: formValues(shown), notice: req.query.notice ?? null, ...(await choices()) });
  };

  router.get('/settings/chat-sites', manage, listPage);
  router.post('/settings/chat-sites', manage, rerenderForm('chat-site-new', listPage), validate(chatSiteInput, siteForm), async (req, res) => {
    const site = await inTransaction(db, dispatcher, (tx, effects) => createChatSite(tx, effects, res.locals.input, actingUser(req)));
    res.redirect(303, `/settings/chat-sites/${site.id}?notice=created`);
  });
  router.get('/settings/chat-sites/:siteId', manage, sitePage);
  router.post(
    '/settings/chat-sites/:siteId',
    manage,
    rerenderForm((req) => `chat-site-${pathId(req, 'siteId')}`, sitePage),
    validate(chatSiteChangeInput, siteForm),
    async (req, res) => {
      const site = await inTransaction(db, dispatcher, (tx, effects) => changeChatSite(tx, effects, res.locals.input, actingUser(req)));
      res.redirect(303, `/settings/chat-sites/${site.id}?notice=saved`);
    },
  );
  return router;
}
