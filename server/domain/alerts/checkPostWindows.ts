/**
 * Volume-spike and negative-dip rules of one query or one channel: the window up to now against the same
 * window at the same hour of the past weeks (spikeVerdict.ts, negativeDipVerdict.ts). Query rules are
 * checked by the check-spikes job that ingest asks for when a query matched; channel rules by the alert
 * sweep every minute. Recipients: the managers (of the channel's routing team, when it has one).
 */
import type { Tx } from '../../db/client';
import { activeRulesOf, countPosts, managersOf } from '../../db/repositories/alerts.repo';
import { findChannel } from '../../db/repositories/channels.repo';
import { findListeningQuery } from '../../db/repositories/listening.repo';
import type { Effects } from '../effects';
import { DIP_DEFAULTS, SPIKE_DEFAULTS } from './alertRules';
import { negativeDipVerdict, type WindowCounts } from './negativeDipVerdict';
import { raiseAlert, type RaiseOutcome } from './raiseAlert';
import { BASELINE_WEEKS, spikeVerdict, WEEK_MS } from './spikeVerdict';

export type PostScope = { queryId: string } | { channelId: string };

type Rule = Awaited<ReturnType<typeof activeRulesOf>>[number];

const keyOf = (scope: PostScope) => ('queryId' in scope ? `query:${scope.queryId}` : `channel:${scope.channelId}`);
const fits = (rule: Rule, scope: PostScope) => ('queryId' in scope ? rule.scope.queryId === scope.queryId : rule.scope.channelId === scope.channelId);

/** The window up to now and the same window in each of the past weeks. */
async function windows(tx: Tx, scope: PostScope, windowMinutes: number, now: Date) {
  const from = new Date(now.getTime() - windowMinutes * 60_000);
  const current = await countPosts(tx, scope, from, now);
  const past: WindowCounts[] = [];
  for (let w = 1; w <= BASELINE_WEEKS; w++)
    past.push(await countPosts(tx, scope, new Date(from.getTime() - w * WEEK_MS), new Date(now.getTime() - w * WEEK_MS)));
  return { current, past };
}

async function subjectOf(tx: Tx, scope: PostScope) {
  if ('queryId' in scope) {
    const query = await findListeningQuery(tx, scope.queryId);
    return { name: query?.name ?? '', teamId: null, link: `/monitoring?subject=query:${scope.queryId}&preset=today&granularity=hour` };
  }
  const channel = await findChannel(tx, scope.channelId);
  return { name: channel?.name ?? '', teamId: channel?.routingTeamId ?? null, link: `/inbox?channelId=${scope.channelId}` };
}

export async function checkPostWindows(tx: Tx, effects: Effects, scope: PostScope, now: Date): Promise<RaiseOutcome[]> {
  const rules = (await activeRulesOf(tx, ['volume_spike', 'negative_dip'])).filter((r) => fits(r, scope));
  const outcomes: RaiseOutcome[] = [];
  for (const rule of rules) {
    const finding = rule.kind === 'volume_spike' ? await spikeFinding(tx, rule, scope, now) : await dipFinding(tx, rule, scope, now);
    if (!finding) continue;
    const subject = await subjectOf(tx, scope);
    outcomes.push(
      await raiseAlert(
        tx,
        effects,
        {
          rule: { id: rule.id, kind: rule.kind, channels: rule.channels, cooldownMinutes: finding.cooldownMinutes },
          subjectKey: keyOf(scope),
          details: { subject: subject.name, ...finding.details },
          link: subject.link,
          recipients: await managersOf(tx, subject.teamId),
        },
        now,
      ),
    );
  }
  return outcomes;
}

async function spikeFinding(tx: Tx, rule: Rule, scope: PostScope, now: Date) {
  const p = { ...SPIKE_DEFAULTS, ...rule.params };
  const { current, past } = await windows(tx, scope, p.windowMinutes, now);
  if (current.posts < p.minCount) return null;
  const verdict = spikeVerdict(
    current.posts,
    past.map((w) => w.posts),
    p,
  );
  if (!verdict.spike) return null;
  return { cooldownMinutes: p.cooldownMinutes, details: { count: current.posts, baseline: verdict.baseline, windowMinutes: p.windowMinutes } };
}

async function dipFinding(tx: Tx, rule: Rule, scope: PostScope, now: Date) {
  const p = { ...DIP_DEFAULTS, ...rule.params };
  const { current, past } = await windows(tx, scope, p.windowMinutes, now);
  if (current.posts < p.minCount) return null;
  const verdict = negativeDipVerdict(current, past, p);
  if (!verdict.dip) return null;
  return {
    cooldownMinutes: p.cooldownMinutes,
    details: { count: current.posts, negative: current.negative, share: verdict.share, baselineShare: verdict.baselineShare, windowMinutes: p.windowMinutes },
  };
}
