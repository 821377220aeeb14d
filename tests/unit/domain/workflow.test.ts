/** Pure workflow rules: who may make which transition, what assignment does, mention parsing, template filling. */
import type { ConversationStatus, Role } from '../../../server/db/schema';
import { auditCsvRow } from '../../../server/domain/audit/auditCsv';
import { csvCell } from '../../../server/domain/csv';
import { allowedTransitions, STATUSES } from '../../../server/domain/conversations/status';
import { checkTransition, reopenStatus, statusAfterAssignment } from '../../../server/domain/conversations/transitionPolicy';
import { fillTemplate } from '../../../server/domain/cannedResponses/fillTemplate';
import { mentionTokens, resolveMentions } from '../../../server/domain/conversations/mentions';

describe('transition permissions', () => {
  it.each<[Role, boolean]>([
    ['agent', true],
    ['manager', true],
    ['auditor', false],
    ['admin', false],
  ])('when a %s closes a new conversation, then allowed is %s', (role, ok) => {
    const verdict = checkTransition(role, 'new', 'closed', false);
    expect(verdict.ok).toBe(ok);
    if (!ok) expect(verdict).toEqual({ ok: false, reason: 'role' });
  });

  it('when an agent tries a transition the state machine lacks, then it is refused naming the allowed ones', () => {
    expect(checkTransition('agent', 'closed', 'saved', true)).toEqual({ ok: false, reason: 'transition', allowed: ['new', 'assigned', 'answered'] });
    expect(checkTransition('agent', 'new', 'new', false)).toEqual({ ok: false, reason: 'transition', allowed: allowedTransitions('new') });
  });

  it('when marking a conversation assigned without an assignee, then it is refused', () => {
    expect(checkTransition('manager', 'new', 'assigned', false)).toEqual({ ok: false, reason: 'needs_assignee' });
    expect(checkTransition('manager', 'new', 'assigned', true)).toEqual({ ok: true });
  });

  it('when checking every pair for a read-only role, then nothing is ever allowed', () => {
    for (const from of STATUSES)
      for (const to of STATUSES) {
        expect(checkTransition('auditor', from, to, true).ok).toBe(false);
      }
  });

  it('when reopening by hand, then the same rule as an inbound message applies', () => {
    expect(reopenStatus(true)).toBe('assigned');
    expect(reopenStatus(false)).toBe('new');
  });

  it.each<[ConversationStatus, string | null, ConversationStatus]>([
    ['new', 'u1', 'assigned'],
    ['assigned', null, 'new'],
    ['assigned', 'u2', 'assigned'],
    ['saved', 'u1', 'saved'],
    ['answered', null, 'answered'],
    ['closed', 'u1', 'closed'],
    ['new', null, 'new'],
  ])('when a %s conversation is assigned to %s, then it becomes %s', (from, assignee, to) => {
    expect(statusAfterAssignment(from, assignee)).toBe(to);
  });
});

describe('mention parsing', () => {
  const staff = [
    { id: 'u1', name: 'Lena Vogt', email: 'lena.vogt@example.test' },
    { id: 'u2', name: 'Paul Weber', email: 'p.weber@example.test' },
    { id: 'u3', name: 'Paul Schmidt', email: 'schmidt@example.test' },
    { id: 'u4', name: 'Jürgen Öz', email: 'jo@example.test' },
  ];

  it('when a note names colleagues by first name or e-mail local part, then they are found, case-insensitively', () => {
    expect(resolveMentions('Hi @Lena, and @p.weber.', staff).map((u) => u.id)).toEqual(['u1', 'u2']);
    expect(resolveMentions('@jürgen bitte', staff).map((u) => u.id)).toEqual(['u4']);
  });

  it('when a first name is shared, then everyone with it is mentioned', () => {
    expect(resolveMentions('@paul?', staff).map((u) => u.id)).toEqual(['u2', 'u3']);
  });

  it('when the text has e-mail addresses or no @, then nobody is mentioned', () => {
    expect(mentionTokens('write to lena@example.test')).toEqual([]);
    expect(resolveMentions('no mention here, lena', staff)).toEqual([]);
    expect(resolveMentions('@', staff)).toEqual([]);
  });

  it('when the author mentions themself, then they are not notified', () => {
    expect(resolveMentions('@lena @paul', staff, 'u1').map((u) => u.id)).toEqual(['u2', 'u3']);
  });
});

describe('canned-response variables', () => {
  const ctx = { contactName: 'Erika Mustermann', agentName: 'Lena Vogt', caseNumber: '1042', channelName: 'Shop' };

  it('when a body uses the known variables, then each is filled in', () => {
    expect(fillTemplate('Hallo {{contact.name}}, hier ist {{ agent.firstName }} zu Fall #{{case.number}} ({{channel.name}}).', ctx)).toEqual({
      text: 'Hallo Erika Mustermann, hier ist Lena zu Fall #1042 (Shop).',
      unknown: [],
    });
  });

  it('when a variable is unknown, then it stays as written and is reported', () => {
    expect(fillTemplate('Hi {{contact.email}} {{contact.name}}', ctx)).toEqual({ text: 'Hi {{contact.email}} Erika Mustermann', unknown: ['contact.email'] });
  });

  it('when a value itself looks like a variable, then it is not expanded again', () => {
    expect(fillTemplate('{{contact.name}}', { ...ctx, contactName: '{{agent.name}}' }).text).toBe('{{agent.name}}');
  });
});

describe('audit CSV cells', () => {
  it('when a cell holds quotes, commas, newlines or starts like a formula, then it is quoted and defused', () => {
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('=HYPERLINK("x")')).toBe('"\'=HYPERLINK(""x"")"');
    expect(csvCell(null)).toBe('');
    expect(csvCell({ a: 1 })).toBe('"{""a"":1}"');
  });

  it('when an event is written, then it is one CRLF-terminated line', () => {
    const row = auditCsvRow({
      seq: '7',
      occurredAt: new Date('2026-01-02T03:04:05Z'),
      actorType: 'user',
      actorId: 'u1',
      actorLabel: 'lena@example.test',
      ip: '127.0.0.1',
      action: 'conversation.assigned',
      subjectType: 'conversation',
      subjectId: 'c1',
      channelId: null,
      before: null,
      after: { assigneeId: 'u1' },
      prevHash: 'p',
      hash: 'h',
    });
    expect(row).toBe('7,2026-01-02T03:04:05.000Z,user,u1,lena@example.test,127.0.0.1,conversation.assigned,conversation,c1,,,"{""assigneeId"":""u1""}",h\r\n');
  });
});
