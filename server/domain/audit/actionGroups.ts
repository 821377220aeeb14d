/**
 * The audit page's action groups: each action belongs to the group of its subject (the part before the
 * dot). The database has the same table as audit_action_group() (016_audit_oversight.sql) to index it.
 */
export const ACTION_GROUPS = ['access', 'channels', 'serviceLevels', 'conversations', 'messages', 'cannedResponses', 'oversight'] as const;
export type ActionGroup = (typeof ACTION_GROUPS)[number];

const GROUP_OF_SUBJECT: Record<string, ActionGroup> = {
  auth: 'access',
  user: 'access',
  api_token: 'access',
  team: 'access',
  agent: 'access',
  absence: 'access',
  channel: 'channels',
  topic: 'channels',
  calendar: 'serviceLevels',
  sla_policy: 'serviceLevels',
  sla: 'serviceLevels',
  conversation: 'conversations',
  note: 'conversations',
  contact: 'conversations',
  message: 'messages',
  reply: 'messages',
  canned_response: 'cannedResponses',
  knowledge: 'cannedResponses',
  audit: 'oversight',
  report: 'oversight',
  listening_query: 'oversight',
  alert_rule: 'oversight',
  alert: 'oversight',
  alert_settings: 'oversight',
  push_subscription: 'oversight',
  report_subscription: 'oversight',
  retention: 'oversight',
};

export function actionGroupOf(action: string): ActionGroup | 'other' {
  return GROUP_OF_SUBJECT[action.split('.')[0]!] ?? 'other';
}

/** Settings, not case work: these events show their before/after values side by side. */
export function isSettingsChange(action: string): boolean {
  const group = actionGroupOf(action);
  return group === 'channels' || group === 'cannedResponses' || action.startsWith('calendar.') || action.startsWith('sla_policy.');
}
