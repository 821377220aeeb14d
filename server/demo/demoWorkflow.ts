/** Demo data for the case workflow: a team, predefined tags and canned responses (created as the manager, audited). */
import type { Tx } from '../db/client';
import { insertPredefinedTag } from '../db/repositories/tags.repo';
import { addTeamMember, insertTeam } from '../db/repositories/teams.repo';
import type { Role } from '../db/schema';
import { userActor } from '../domain/audit/actor';
import { createCannedResponse } from '../domain/cannedResponses/cannedResponses';

const TAGS = ['lieferung', 'rechnung', 'rückerstattung', 'login', 'lob', 'vip'];

const CANNED = [
  {
    title: 'Danke & Fallnummer',
    shortcut: 'danke',
    language: 'de' as const,
    body: 'Hallo {{contact.name}}, danke für Ihre Nachricht! Ihr Anliegen hat die Fallnummer #{{case.number}}. Wir melden uns so schnell wie möglich. Viele Grüße, {{agent.firstName}}',
  },
  {
    title: 'Lieferstatus prüfen',
    shortcut: 'lieferung',
    language: 'de' as const,
    body: 'Hallo {{contact.name}}, das tut uns leid! Schicken Sie uns bitte Ihre Bestellnummer per Direktnachricht, dann prüfen wir den Lieferstatus sofort. {{agent.firstName}} von {{channel.name}}',
  },
  {
    title: 'Thanks (English)',
    shortcut: 'thanks',
    language: 'en' as const,
    body: 'Hi {{contact.name}}, thanks for reaching out! Your case number is #{{case.number}} – we will get back to you shortly. Best, {{agent.firstName}}',
  },
];

export async function seedDemoWorkflow(tx: Tx, staff: { id: string; email: string; role: Role }[]) {
  const team = await insertTeam(tx, 'Social Care');
  for (const u of staff.filter((s) => s.role === 'agent' || s.role === 'manager')) await addTeamMember(tx, team.id, u.id);
  for (const tag of TAGS) await insertPredefinedTag(tx, tag);
  const manager = staff.find((s) => s.role === 'manager');
  if (!manager) return;
  for (const c of CANNED) await createCannedResponse(tx, c, { actor: userActor(manager), role: 'manager' });
}
