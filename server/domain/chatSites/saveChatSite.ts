/**
 * Creating and changing a chat site (managers and admins). A new site brings its webchat channel, made in the
 * same transaction; the site's queue (routing team and mode) and opening hours (a calendar) are kept on that
 * channel like on every other, and its name is the channel's name. Each save is one audit event with the
 * whole site before and after; a changed queue asks for a routing pass, as a channel's routing change does.
 */
import { isDeepStrictEqual } from 'node:util';
import type { Tx } from '../../db/client';
import { appendAudit } from '../../db/repositories/audit.repo';
import { insertChannel, updateChannelDetails } from '../../db/repositories/channels.repo';
import { findChatSite, insertChatSite, lockChatSite, updateChatSite, type ChatSite, type ChatSiteValues } from '../../db/repositories/chatSites.repo';
import { setChannelRoutingMode } from '../../db/repositories/routing.repo';
import { findCalendar, setChannelSla } from '../../db/repositories/sla.repo';
import { findTeam } from '../../db/repositories/teams.repo';
import type { Role } from '../../db/schema';
import { BadRequest, Forbidden, NotFound } from '../../errors';
import type { Actor } from '../audit/actor';
import { can } from '../auth/permissions';
import type { Effects } from '../effects';
import { parseInput } from '../parseInput';
import { routingPass } from '../routing/routingPass';
import { chatSiteChangeInput, chatSiteInput, SITE_DEFAULTS, type ChatSiteInput } from './chatSiteInput';
import { completeDisclosure, completeTexts } from './siteTexts';

type By = { actor: Actor; role: Role };
type Routing = { mode: 'manual' | 'auto' | 'pull'; teamId: string | null };
/** A site as it is saved: its own values plus the queue and opening hours its channel keeps. */
type SiteState = ChatSiteValues & { routing: Routing; calendarId: string | null };

function assertMayManage(role: Role) {
  if (!can(role, 'settings.manage')) throw new Forbidden('Only managers and admins set up chat sites').showing('chatSites.managersOnly');
}

/** The team and calendar named exist (a retired calendar is offered for nothing new). */
async function checkReferences(tx: Tx, next: SiteState, current: SiteState | null) {
  if (next.routing.teamId && next.routing.teamId !== current?.routing.teamId && !(await findTeam(tx, next.routing.teamId)))
    throw new BadRequest('routing.teamId: no such team', { fields: { routing: 'unknown' } });
  if (next.calendarId && next.calendarId !== current?.calendarId) {
    const calendar = await findCalendar(tx, next.calendarId);
    if (!calendar || calendar.retiredAt) throw new BadRequest(`calendarId: no calendar ${next.calendarId}`, { fields: { calendarId: 'unknown calendar' } });
  }
}

function stateOf(site: ChatSite): SiteState {
  return {
    name: site.name,
    allowedOrigins: site.allowedOrigins,
    texts: site.texts,
    colour: site.colour,
    prechatName: site.prechatName,
    prechatEmail: site.prechatEmail,
    invitationRules: site.invitationRules,
    maxWaitSeconds: site.maxWaitSeconds,
    targetSeconds: site.targetSeconds,
    targetPercent: site.targetPercent,
    inactivityMinutes: site.inactivityMinutes,
    botEnabled: site.botEnabled,
    botMaxTurns: site.botMaxTurns,
    botDisclosure: completeDisclosure(site.botDisclosure),
    callbackMinutes: site.callbackMinutes,
    routing: { mode: site.routingMode, teamId: site.routingTeamId },
    calendarId: site.calendarId,
  };
}

/** The input laid over a site's state (or the defaults for a new one). */
function merged(base: SiteState, input: Partial<ChatSiteInput>): SiteState {
  return {
    name: input.name ?? base.name,
    allowedOrigins: input.allowedOrigins ?? base.allowedOrigins,
    texts: completeTexts(base.texts, input.texts),
    colour: input.colour ?? base.colour,
    prechatName: input.prechat?.name ?? base.prechatName,
    prechatEmail: input.prechat?.email ?? base.prechatEmail,
    invitationRules: input.invitationRules ?? base.invitationRules,
    maxWaitSeconds: input.maxWaitSeconds ?? base.maxWaitSeconds,
    targetSeconds: input.targetSeconds ?? base.targetSeconds,
    targetPercent: input.targetPercent ?? base.targetPercent,
    inactivityMinutes: input.inactivityMinutes ?? base.inactivityMinutes,
    botEnabled: input.bot?.enabled ?? base.botEnabled,
    botMaxTurns: input.bot?.maxTurns ?? base.botMaxTurns,
    botDisclosure: completeDisclosure(base.botDisclosure, input.bot?.disclosure),
    callbackMinutes: input.callbackMinutes ?? base.callbackMinutes,
    routing: input.routing
      ? { mode: input.routing.mode, teamId: input.routing.teamId === undefined ? base.routing.teamId : input.routing.teamId }
      : base.routing,
    calendarId: input.calendarId === undefined ? base.calendarId : input.calendarId,
  };
}

const NEW_SITE: SiteState = {
  name: '',
  allowedOrigins: SITE_DEFAULTS.allowedOrigins,
  texts: {},
  colour: SITE_DEFAULTS.colour,
  prechatName: SITE_DEFAULTS.prechat.name,
  prechatEmail: SITE_DEFAULTS.prechat.email,
  invitationRules: SITE_DEFAULTS.invitationRules,
  maxWaitSeconds: SITE_DEFAULTS.maxWaitSeconds,
  targetSeconds: SITE_DEFAULTS.targetSeconds,
  targetPercent: SITE_DEFAULTS.targetPercent,
  inactivityMinutes: SITE_DEFAULTS.inactivityMinutes,
  botEnabled: SITE_DEFAULTS.bot.enabled,
  botMaxTurns: SITE_DEFAULTS.bot.maxTurns,
  botDisclosure: {},
  callbackMinutes: SITE_DEFAULTS.callbackMinutes,
  routing: SITE_DEFAULTS.routing,
  calendarId: SITE_DEFAULTS.calendarId,
};

const siteValues = ({ routing: _routing, calendarId: _calendarId, ...values }: SiteState): ChatSiteValues => values;

export async function createChatSite(tx: Tx, effects: Effects, raw: unknown, by: By): Promise<ChatSite> {
  assertMayManage(by.role);
  const input = parseInput(chatSiteInput, raw, 'chat site');
  const site = merged(NEW_SITE, input);
  await checkReferences(tx, site, null);
  const channel = await insertChannel(tx, { kind: 'webchat', name: site.name, ingestTokenHash: null, webhookUrl: null, credentialsEnc: null });
  await setChannelRoutingMode(tx, channel.id, site.routing.mode, site.routing.teamId);
  if (site.calendarId) await setChannelSla(tx, channel.id, { calendarId: site.calendarId });
  const id = await insertChatSite(tx, channel.id, siteValues(site));
  await appendAudit(tx, {
    actor: by.actor,
    action: 'channel.chat_site_created',
    subjectType: 'channel',
    subjectId: channel.id,
    channelId: channel.id,
    before: null,
    after: { siteId: id, ...site },
  });
  effects.publish({ type: 'routing' });
  if (site.routing.mode === 'auto') effects.enqueue(routingPass([channel.id]));
  return (await findChatSite(tx, id))!;
}

export async function changeChatSite(tx: Tx, effects: Effects, raw: unknown, by: By): Promise<ChatSite> {
  assertMayManage(by.role);
  const { siteId, ...input } = parseInput(chatSiteChangeInput, raw, 'chat site');
  const current = await lockChatSite(tx, siteId);
  if (!current) throw new NotFound('Chat site');
  const before = stateOf(current);
  const after = merged(before, input);
  if (isDeepStrictEqual(before, after)) return current;
  await checkReferences(tx, after, before);
  if (after.name !== before.name) await updateChannelDetails(tx, current.channelId, { name: after.name, webhookUrl: null });
  const routingChanged = !isDeepStrictEqual(before.routing, after.routing);
  if (routingChanged) await setChannelRoutingMode(tx, current.channelId, after.routing.mode, after.routing.teamId);
  if (after.calendarId !== before.calendarId) await setChannelSla(tx, current.channelId, { calendarId: after.calendarId });
  await updateChatSite(tx, siteId, siteValues(after));
  const changed = (Object.keys(after) as (keyof SiteState)[]).filter((k) => !isDeepStrictEqual(before[k], after[k]));
  const pick = (s: SiteState) => Object.fromEntries(changed.map((k) => [k, s[k]]));
  await appendAudit(tx, {
    actor: by.actor,
    action: 'channel.chat_site_changed',
    subjectType: 'channel',
    subjectId: current.channelId,
    channelId: current.channelId,
    before: { siteId, ...pick(before) },
    after: { siteId, ...pick(after) },
  });
  if (routingChanged) {
    effects.publish({ type: 'routing' });
    if (after.routing.mode === 'auto') effects.enqueue(routingPass([current.channelId]));
  }
  return (await findChatSite(tx, siteId))!;
}
