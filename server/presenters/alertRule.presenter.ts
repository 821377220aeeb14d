/**
 * Alert rules for the settings page: each kind's threshold fields (with their defaults), where its scope
 * comes from, and who it tells; a rule row in words; and the form's fields back into the API's shape.
 */
import type { AlertKind } from '../db/schema';
import { ALERT_KINDS, AUDIT_BREAK_DEFAULTS, CHANNEL_FAILURE_DEFAULTS, DIP_DEFAULTS, SLA_DEFAULTS, SPIKE_DEFAULTS } from '../domain/alerts/alertRules';

/** post: a query or a channel (one of them); conversation: channel, topic, team (each optional); channel: one channel or all; none. */
export type ScopeShape = 'post' | 'conversation' | 'channel' | 'none';

export const RULE_FORMS: Record<AlertKind, { scope: ScopeShape; defaults: Record<string, number> }> = {
  volume_spike: { scope: 'post', defaults: SPIKE_DEFAULTS },
  negative_dip: { scope: 'post', defaults: DIP_DEFAULTS },
  sla_warning: { scope: 'conversation', defaults: SLA_DEFAULTS },
  sla_breach: { scope: 'conversation', defaults: SLA_DEFAULTS },
  channel_failure: { scope: 'channel', defaults: CHANNEL_FAILURE_DEFAULTS },
  audit_break: { scope: 'none', defaults: AUDIT_BREAK_DEFAULTS },
};

/** Every threshold a form may carry (the label keys are alertSettings.field.<name>). */
export const THRESHOLD_FIELDS = [...new Set(Object.values(RULE_FORMS).flatMap((f) => Object.keys(f.defaults)))];

export const isAlertKind = (k: unknown): k is AlertKind => typeof k === 'string' && (ALERT_KINDS as readonly string[]).includes(k);

type Named = { id: string; name: string };
export type ScopeNames = { queries: Named[]; channels: Named[]; topics: Named[]; teams: Named[] };

/** What a rule watches, in words ("Query: Streik", "Channel: Webshop · Team: Care"), or null for everything. */
export function scopeParts(scope: Record<string, string>, names: ScopeNames): { key: 'query' | 'channel' | 'topic' | 'team'; name: string }[] {
  const nameIn = (list: Named[], id: string) => list.find((x) => x.id === id)?.name ?? id;
  const parts: { key: 'query' | 'channel' | 'topic' | 'team'; name: string }[] = [];
  if (scope.queryId) parts.push({ key: 'query', name: nameIn(names.queries, scope.queryId) });
  if (scope.channelId) parts.push({ key: 'channel', name: nameIn(names.channels, scope.channelId) });
  if (scope.topicId) parts.push({ key: 'topic', name: nameIn(names.topics, scope.topicId) });
  if (scope.teamId) parts.push({ key: 'team', name: nameIn(names.teams, scope.teamId) });
  return parts;
}

/**
 * A posted rule form as the API's body: numbers from their text (empty: the default), the paths from the
 * checkboxes, the scope from `target` ("query:<id>" or "channel:<id>") or the channel/topic/team selects.
 */
export function ruleFromForm(body: Record<string, unknown>, formList: (v: unknown) => unknown[]) {
  const kind = body.kind;
  const shape = isAlertKind(kind) ? RULE_FORMS[kind].scope : 'none';
  const scope: Record<string, unknown> = {};
  if (shape === 'post' && typeof body.target === 'string' && body.target) {
    const [type, id] = body.target.split(':');
    scope[type === 'query' ? 'queryId' : 'channelId'] = id;
  }
  const selects = shape === 'conversation' ? ['channelId', 'topicId', 'teamId'] : shape === 'channel' ? ['channelId'] : [];
  for (const f of selects) if (typeof body[f] === 'string' && body[f]) scope[f] = body[f];
  const numbers = Object.fromEntries(
    THRESHOLD_FIELDS.filter((f) => isAlertKind(kind) && f in RULE_FORMS[kind].defaults && typeof body[f] === 'string' && body[f] !== '').map((f) => [
      f,
      Number(String(body[f]).replace(',', '.')),
    ]),
  );
  return { kind, scope, ...numbers, channels: formList(body.channels) };
}
