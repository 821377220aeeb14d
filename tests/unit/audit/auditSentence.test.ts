/** Every audit action reads as a sentence in German and English, with names and case numbers instead of ids. */
import { AUDIT_ACTIONS, type AuditAction } from '../../../server/domain/audit/actions';
import { ACTION_GROUPS, actionGroupOf, isSettingsChange } from '../../../server/domain/audit/actionGroups';
import { actorName, auditSentence, referencedIds, type AuditNames, type ReadableEvent } from '../../../server/domain/audit/auditSentence';
import { fieldChanges } from '../../../server/domain/audit/fieldChanges';
import { translator } from '../../../server/i18n/translate';

const LENA = '11111111-1111-4111-8111-111111111111';
const SAM = '22222222-2222-4222-8222-222222222222';
const CONVERSATION = '33333333-3333-4333-8333-333333333333';
const CHANNEL = '44444444-4444-4444-8444-444444444444';
const TEAM = '55555555-5555-4555-8555-555555555555';

const names: AuditNames = {
  users: new Map([
    [LENA, 'Lena Vogt'],
    [SAM, 'Sam Keller'],
  ]),
  cases: new Map([[CONVERSATION, '1315']]),
  channels: new Map([[CHANNEL, 'Webshop API']]),
  teams: new Map([[TEAM, 'Retouren']]),
};

const byLena = (action: AuditAction, over: Partial<ReadableEvent> = {}): ReadableEvent => ({
  action,
  actorType: 'user',
  actorId: LENA,
  actorLabel: 'lena@example.test',
  subjectType: 'conversation',
  subjectId: CONVERSATION,
  channelId: CHANNEL,
  before: null,
  after: null,
  ...over,
});

/** A plausible event per action, with the subject and values its command writes. */
function sampleOf(action: AuditAction): ReadableEvent {
  const subject = action.split('.')[0]!;
  if (['auth', 'user', 'api_token'].includes(subject))
    return byLena(action, { subjectType: 'user', subjectId: SAM, after: { name: 'Sam Keller', role: 'agent', email: 'sam@example.test' } });
  if (subject === 'channel') return byLena(action, { subjectType: 'channel', subjectId: CHANNEL, after: { name: 'Webshop API', pollIntervalSeconds: 60 } });
  if (subject === 'topic') return byLena(action, { subjectType: 'topic', subjectId: 'x', before: { name: 'Lieferung' }, after: { name: 'Lieferung' } });
  if (['calendar', 'sla_policy'].includes(subject)) return byLena(action, { subjectType: subject, subjectId: 'x', after: { name: 'Werktage' } });
  if (subject === 'canned_response') return byLena(action, { subjectType: 'canned_response', subjectId: 'x', after: { title: 'Gruß' } });
  if (subject === 'audit') return byLena(action, { subjectType: 'audit', subjectId: '7', after: { rows: 12, throughSeq: '99', brokenAtSeq: '42', ok: true } });
  if (subject === 'report') return byLena(action, { subjectType: 'report', subjectId: 'sla' });
  return byLena(action, {
    before: { status: 'new', assigneeId: null },
    after: { status: 'assigned', assigneeId: SAM, tags: ['retoure'], priority: 'high', breachReason: 'Sturm', remoteStatus: 'read' },
  });
}

describe('audit sentences', () => {
  it.each(AUDIT_ACTIONS.map((a) => [a]))('when a %s event is read, then it is a complete sentence in German and English without ids', (action) => {
    for (const locale of ['de', 'en'] as const) {
      const sentence = auditSentence(sampleOf(action), names, translator(locale));
      expect(sentence).not.toMatch(/\{\w+\}/); // every placeholder filled
      expect(sentence).not.toContain(action); // not the fallback
      for (const id of [LENA, SAM, CONVERSATION, CHANNEL]) expect(sentence).not.toContain(id);
      expect(sentence.length).toBeGreaterThan(10);
    }
  });

  it('when Lena assigns a case to Sam, then it reads as the product brief says, in both languages', () => {
    const e = byLena('conversation.assigned', { before: { assigneeId: null }, after: { assigneeId: SAM, teamId: null, status: 'assigned' } });
    expect(auditSentence(e, names, translator('de'))).toBe('Lena Vogt hat #1315 an Sam Keller zugewiesen');
    expect(auditSentence(e, names, translator('en'))).toBe('Lena Vogt assigned #1315 to Sam Keller');
  });

  it('when a case goes to a team only, then the team is named', () => {
    const e = byLena('conversation.assigned', { after: { assigneeId: null, teamId: TEAM } });
    expect(auditSentence(e, names, translator('de'))).toBe('Lena Vogt hat #1315 dem Team Retouren zugewiesen');
  });

  it('when an API channel receives a message, then the channel is the actor, by name', () => {
    const e = byLena('message.received', { actorType: 'api_channel', actorId: CHANNEL, actorLabel: `channel:${CHANNEL}` });
    expect(auditSentence(e, names, translator('de'))).toBe('Kanal „Webshop API“ hat eine Nachricht empfangen (#1315)');
  });

  it('when a status changes, then both statuses are named in the reader language', () => {
    const e = byLena('conversation.status_changed', { before: { status: 'answered' }, after: { status: 'closed' } });
    expect(auditSentence(e, names, translator('de'))).toBe('Lena Vogt hat #1315 von „Beantwortet“ auf „Geschlossen“ gesetzt');
  });

  it('when a system component acts, then it is named as the system, and a deleted user falls back to the stored label', () => {
    const worker = byLena('message.delivered', { actorType: 'system', actorId: null, actorLabel: 'worker:outbound' });
    expect(actorName(worker, names, translator('de'))).toBe('System (worker:outbound)');
    const gone = byLena('auth.login', { actorId: '99999999-9999-4999-8999-999999999999', actorLabel: 'gone@example.test' });
    expect(actorName(gone, names, translator('de'))).toBe('gone@example.test');
  });

  it('when an action is not in the catalogue (an old event), then the sentence names the raw action', () => {
    expect(auditSentence(byLena('x.y' as AuditAction), names, translator('en'))).toBe('Lena Vogt: x.y');
  });

  it('when a page of events is named, then every person, case, channel and team it mentions is asked for once', () => {
    const ids = referencedIds([
      byLena('conversation.assigned', { after: { assigneeId: SAM, teamId: TEAM } }),
      byLena('message.received', { actorType: 'api_channel', actorId: CHANNEL }),
    ]);
    expect(ids).toEqual({ users: [LENA, SAM], conversations: [CONVERSATION], channels: [CHANNEL], teams: [TEAM] });
  });
});

describe('action groups', () => {
  it('when any catalogued action is grouped, then it falls into one of the named groups', () => {
    for (const a of AUDIT_ACTIONS) expect(ACTION_GROUPS).toContain(actionGroupOf(a));
    expect(actionGroupOf('something.else')).toBe('other');
  });

  it('when an event changes settings, then it gets the before/after view; case work does not', () => {
    expect(isSettingsChange('channel.sla_changed')).toBe(true);
    expect(isSettingsChange('sla_policy.updated')).toBe(true);
    expect(isSettingsChange('canned_response.updated')).toBe(true);
    expect(isSettingsChange('sla.breached')).toBe(false);
    expect(isSettingsChange('conversation.assigned')).toBe(false);
  });
});

describe('before/after', () => {
  it('when two versions are compared, then every field of either side is listed and the changed ones are marked', () => {
    expect(fieldChanges({ name: 'A', warnAtPercent: 80, gone: true }, { name: 'A', warnAtPercent: 90, calendarId: null })).toEqual([
      { field: 'name', before: 'A', after: 'A', changed: false },
      { field: 'warnAtPercent', before: '80', after: '90', changed: true },
      { field: 'gone', before: 'true', after: '', changed: true },
      { field: 'calendarId', before: '', after: 'null', changed: true },
    ]);
    expect(fieldChanges(null, { title: 'Gruß' })).toEqual([{ field: 'title', before: '', after: 'Gruß', changed: true }]);
  });
});
