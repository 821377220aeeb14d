/**
 * Volume-spike rules, checked after posts arrive (the check-spikes job that ingest asks for when a
 * listening query matched): the window up to now against the same window at the same hour of the past
 * weeks (spikeVerdict.ts). Recipients: the managers.
 */
import type { Tx } from '../../db/client';
import { activeRulesOf, countPosts, managersOf } from '../../db/repositories/alerts.repo';
import { findListeningQuery } from '../../db/repositories/listening.repo';
import type { Effects } from '../effects';
import { SPIKE_DEFAULTS } from './alertRules';
import { raiseAlert, type RaiseOutcome } from './raiseAlert';
import { BASELINE_WEEKS, spikeVerdict, WEEK_MS } from './spikeVerdict';

export async function checkVolumeSpikes(tx: Tx, effects: Effects, scope: { queryId: string }, now: Date): Promise<RaiseOutcome[]> {
  const rules = (await activeRulesOf(tx, ['volume_spike'])).filter((r) => r.scope.queryId === scope.queryId);
  const outcomes: RaiseOutcome[] = [];
  for (const rule of rules) {
    const p = { ...SPIKE_DEFAULTS, ...rule.params };
    const windowMs = p.windowMinutes * 60_000;
    const from = new Date(now.getTime() - windowMs);
    const count = await countPosts(tx, scope, from, now);
    if (count < p.minCount) continue;
    const past: number[] = [];
    for (let w = 1; w <= BASELINE_WEEKS; w++) {
      past.push(await countPosts(tx, scope, new Date(from.getTime() - w * WEEK_MS), new Date(now.getTime() - w * WEEK_MS)));
    }
    const verdict = spikeVerdict(count, past, p);
    if (!verdict.spike) continue;
    const query = await findListeningQuery(tx, scope.queryId);
    outcomes.push(
      await raiseAlert(
        tx,
        effects,
        {
          rule: { id: rule.id, kind: 'volume_spike', channels: rule.channels, cooldownMinutes: p.cooldownMinutes },
          subjectKey: `query:${scope.queryId}`,
          details: { subject: query?.name ?? '', count, baseline: verdict.baseline, windowMinutes: p.windowMinutes },
          link: `/monitoring?queryId=${scope.queryId}&preset=today&granularity=hour`,
          recipients: await managersOf(tx, null),
        },
        now,
      ),
    );
  }
  return outcomes;
}
