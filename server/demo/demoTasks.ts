/**
 * Demo data for multi-step cases: a back-office team "Buchhaltung" (the manager belongs to it; no channel routes
 * to it) and one open case with three steps — the agent's first step done, Buchhaltung's credit note next, the
 * agent's reply to the customer after it. Created through the commands (audited); effects are dropped: the
 * worker's reconciler adds the overdue timer from the rows on start.
 */
import type { Tx } from '../db/client';
import { addTeamMember, insertTeam } from '../db/repositories/teams.repo';
import { userActor } from '../domain/audit/actor';
import { Effects } from '../domain/effects';
import { completeTask } from '../domain/tasks/completeTask';
import { createTask } from '../domain/tasks/createTask';

type Staff = { id: string; email: string };

export async function seedDemoTasks(tx: Tx, conversationId: string, staff: { agent: Staff; manager: Staff }) {
  const accounting = await insertTeam(tx, 'Buchhaltung');
  await addTeamMember(tx, accounting.id, staff.manager.id);
  const effects = new Effects();
  const by = { actor: userActor(staff.agent), role: 'agent' as const, user: staff.agent };
  const first = await createTask(tx, effects, { conversationId, title: 'Rechnungsnummer beim Kunden erfragen', assigneeId: staff.agent.id }, by);
  await createTask(tx, effects, { conversationId, title: 'Gutschrift buchen', teamId: accounting.id, dueInBusinessHours: 8, dependsOn: [1] }, by);
  await createTask(tx, effects, { conversationId, title: 'Kunden über die Gutschrift informieren', assigneeId: staff.agent.id, dependsOn: [2] }, by);
  await completeTask(tx, effects, { taskId: first.id }, by);
}
