/** A chat site as the API and the console show it: its settings, its channel's queue and hours, and the embed snippet. */
import type { ChatSite } from '../db/repositories/chatSites.repo';
import { embedSnippet } from '../domain/chatSites/embedSnippet';
import { completeDisclosure, completeTexts } from '../domain/chatSites/siteTexts';

export function presentChatSite(site: ChatSite, baseUrl: string) {
  return {
    id: site.id,
    channelId: site.channelId,
    name: site.name,
    allowedOrigins: site.allowedOrigins,
    routing: { mode: site.routingMode, teamId: site.routingTeamId },
    calendarId: site.calendarId,
    colour: site.colour,
    texts: completeTexts(site.texts),
    prechat: { name: site.prechatName, email: site.prechatEmail },
    invitationRules: site.invitationRules,
    maxWaitSeconds: site.maxWaitSeconds,
    targetSeconds: site.targetSeconds,
    targetPercent: site.targetPercent,
    inactivityMinutes: site.inactivityMinutes,
    bot: { enabled: site.botEnabled, maxTurns: site.botMaxTurns, disclosure: completeDisclosure(site.botDisclosure) },
    callbackMinutes: site.callbackMinutes,
    embedSnippet: embedSnippet(baseUrl, site.id),
    createdAt: site.createdAt.toISOString(),
    updatedAt: site.updatedAt.toISOString(),
  };
}
