/**
 * The alert sweep, every minute: the rules that no ingest event triggers — volume spikes and negative dips
 * of whole channels (a query's are checked when it matches) and channel failures (a silent channel sends
 * no event at all).
 */
import type { Tx } from '../../db/client';
import { activeRulesOf } from '../../db/repositories/alerts.repo';
import type { Effects } from '../effects';
import { checkChannelFailures } from './checkChannelFailures';
import { checkPostWindows } from './checkPostWindows';

export async function sweepAlerts(tx: Tx, effects: Effects, now: Date) {
  const postRules = await activeRulesOf(tx, ['volume_spike', 'negative_dip']);
  const channelIds = [...new Set(postRules.flatMap((r) => (r.scope.channelId ? [r.scope.channelId] : [])))];
  const outcomes = [];
  for (const channelId of channelIds) outcomes.push(...(await checkPostWindows(tx, effects, { channelId }, now)));
  outcomes.push(...(await checkChannelFailures(tx, effects, now)));
  return { checkedChannels: channelIds.length, raised: outcomes.filter((o) => o !== 'bundled').length };
}
