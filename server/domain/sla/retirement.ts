/**
 * Retiring calendars and SLA policies (soft delete): a retired one is offered for nothing new, while
 * posts, reports and the audit trail keep pointing at it, so history keeps its figures. One still in
 * use (by a channel, a topic, or a live policy) is refused with the names of its users.
 */
import type { Tx } from '../../db/client';
import { appendAudit } from '../../db/repositories/audit.repo';
import { calendarUsers, lockCalendar, lockPolicy, policyUsers, retireCalendarRow, retirePolicyRow } from '../../db/repositories/sla.repo';
import { LocalizedBadRequest, NotFound } from '../../errors';
import type { Actor } from '../audit/actor';

function refuseInUse(what: string, users: string[]) {
  if (users.length === 0) return;
  const names = users.join(', ');
  throw new LocalizedBadRequest(`${what} is still used by ${names}`, (t) => t('sla.retire.inUse', { names }), { fields: { retire: 'in use' } });
}

/** Retiring what is already retired changes nothing (and writes no second event). */
export async function retireCalendar(tx: Tx, id: string, actor: Actor) {
  const current = await lockCalendar(tx, id);
  if (!current) throw new NotFound('Calendar');
  if (current.retiredAt) return current;
  refuseInUse('The calendar', await calendarUsers(tx, id));
  const retired = await retireCalendarRow(tx, id);
  if (!retired) throw new NotFound('Calendar');
  await appendAudit(tx, {
    actor,
    action: 'calendar.retired',
    subjectType: 'calendar',
    subjectId: id,
    after: { name: retired.name, retiredAt: retired.retiredAt },
  });
  return retired;
}

export async function retirePolicy(tx: Tx, id: string, actor: Actor) {
  const current = await lockPolicy(tx, id);
  if (!current) throw new NotFound('SLA policy');
  if (current.retiredAt) return current;
  refuseInUse('The SLA policy', await policyUsers(tx, id));
  const retired = await retirePolicyRow(tx, id);
  if (!retired) throw new NotFound('SLA policy');
  await appendAudit(tx, {
    actor,
    action: 'sla_policy.retired',
    subjectType: 'sla_policy',
    subjectId: id,
    after: { name: retired.name, retiredAt: retired.retiredAt },
  });
  return retired;
}
