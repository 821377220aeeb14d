/**
 * A messaging channel's bot (bot first, 036): on or off, how many turns before it hands over by itself, its
 * disclosure per language (an empty one is the lawful default) and the chat site whose public help page its
 * article links open. Only channels whose connector allows automatic replies (capability `botReplies`) may turn
 * it on, and only with a help site. Set by managers and admins, audited with before and after; an unchanged
 * setting changes nothing.
 */
import { z } from 'zod';
import type { Connectors } from '../../../connectors/types';
import type { Tx } from '../../db/client';
import { appendAudit } from '../../db/repositories/audit.repo';
import { findChatSite } from '../../db/repositories/chatSites.repo';
import { type ChannelBotSetting, lockChannelBot, setChannelBotSetting } from '../../db/repositories/conversationBots.repo';
import { BadRequest, NotFound } from '../../errors';
import type { Actor } from '../audit/actor';
import { botSettings } from '../chatSites/chatSiteInput';
import { completeDisclosure } from '../chatSites/siteTexts';
import { parseInput } from '../parseInput';

export const channelBotInput = z.object({ channelId: z.uuid(), bot: botSettings.extend({ helpSiteId: z.uuid().nullable().optional() }).strict() }).strict();

export type ChannelBotView = { enabled: boolean; maxTurns: number; disclosure: Record<'de' | 'en', string>; helpSiteId: string | null };

export function presentChannelBot(c: Pick<ChannelBotSetting, 'botEnabled' | 'botMaxTurns' | 'botDisclosure' | 'botHelpSiteId'>): ChannelBotView {
  return { enabled: c.botEnabled, maxTurns: c.botMaxTurns, disclosure: completeDisclosure(c.botDisclosure, {}, 'messaging'), helpSiteId: c.botHelpSiteId };
}

export async function setChannelBot(tx: Tx, raw: z.input<typeof channelBotInput>, actor: Actor, connectors: Connectors): Promise<ChannelBotView> {
  const { channelId, bot } = parseInput(channelBotInput, raw, 'channel bot');
  const channel = await lockChannelBot(tx, channelId);
  if (!channel) throw new NotFound('Channel');
  const next = {
    botEnabled: bot.enabled ?? channel.botEnabled,
    botMaxTurns: bot.maxTurns ?? channel.botMaxTurns,
    botDisclosure: completeDisclosure(channel.botDisclosure, bot.disclosure, 'messaging'),
    botHelpSiteId: bot.helpSiteId === undefined ? channel.botHelpSiteId : bot.helpSiteId,
  };
  if (next.botEnabled && !connectors.of(channel.kind)?.capabilities.botReplies) {
    throw new BadRequest('bot: no bot may answer on this channel', { fields: { enabled: 'not on this channel' } }).showing('channels.bot.notOnChannel');
  }
  if (next.botHelpSiteId && !(await findChatSite(tx, next.botHelpSiteId))) {
    throw new BadRequest('bot.helpSiteId: no such chat site', { fields: { helpSiteId: 'unknown chat site' } }).showing('channels.bot.needsHelpSite');
  }
  if (next.botEnabled && !next.botHelpSiteId) {
    throw new BadRequest('bot.helpSiteId: the bot needs a chat site whose help page its links open', { fields: { helpSiteId: 'required' } }).showing(
      'channels.bot.needsHelpSite',
    );
  }
  const before = presentChannelBot(channel);
  const after = presentChannelBot(next);
  if (JSON.stringify(before) === JSON.stringify(after)) return after;
  await setChannelBotSetting(tx, channel.id, next);
  await appendAudit(tx, { actor, action: 'channel.bot_changed', subjectType: 'channel', subjectId: channel.id, channelId: channel.id, before, after });
  return after;
}
