/**
 * What a chat site can offer right now: whether its channel's calendar is open, and the chat slots of the agents
 * who serve its queue (online, present, in the channel's routing team, with the skills the channel asks for) —
 * free and busy — counted the way the router counts them (server/domain/routing).
 */
import type { DbOrTx } from '../../db/client';
import type { ChatSite } from '../../db/repositories/chatSites.repo';
import { onlineAgents } from '../../db/repositories/routing.repo';
import { findCalendar } from '../../db/repositories/sla.repo';
import { routingAgentsOf } from '../routing/agents';
import { serves, type Requirement } from '../routing/chooseAgent';
import { isOpen } from '../sla/businessTime';
import { compiledCalendarOf } from '../sla/calendarCache';

export type ChatSlots = { freeSlots: number; busySlots: number };

/** Within the opening hours of the site's channel (no calendar: always). */
export async function siteIsOpen(db: DbOrTx, site: Pick<ChatSite, 'calendarId'>, now: Date): Promise<boolean> {
  if (!site.calendarId) return true;
  const cal = await findCalendar(db, site.calendarId);
  if (!cal) return true;
  return isOpen(compiledCalendarOf({ calendarId: cal.id, calendarDefinition: cal.definition, calendarUpdatedAt: cal.updatedAt }), now);
}

export async function chatSlots(db: DbOrTx, site: Pick<ChatSite, 'channelId' | 'routingTeamId'>): Promise<ChatSlots> {
  const agents = await routingAgentsOf(db, await onlineAgents(db));
  const req: Requirement = { slotClass: 'chat', channelId: site.channelId, teamId: site.routingTeamId };
  let freeSlots = 0;
  let busySlots = 0;
  for (const a of agents) {
    if (!serves(a, req)) continue;
    freeSlots += Math.max(0, a.capacity.chat - a.load.chat);
    busySlots += Math.min(a.load.chat, a.capacity.chat);
  }
  return { freeSlots, busySlots };
}
