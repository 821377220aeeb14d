/**
 * A case is not closed while steps are open: closing answers 409 naming the open tasks, unless a manager closes
 * it with a reason — then the open tasks stay as they are and the status change records them (and the reason).
 * Every close path (action bar, keyboard, bulk close, reply-and-close, the API) goes through changeStatus,
 * which asks here.
 */
import type { Tx } from '../../db/client';
import type { Role } from '../../db/schema';
import { lockTasksOf } from '../../db/repositories/tasks.repo';
import { Conflict } from '../../errors';

/** The numbers of the open tasks a manager's close goes past (empty: none were open). */
export async function openTasksOnClose(tx: Tx, conversationId: string, by: { role: Role; reason: string | undefined }): Promise<number[]> {
  const open = (await lockTasksOf(tx, conversationId)).filter((t) => t.state === 'open');
  if (open.length === 0) return [];
  if (by.role === 'manager' && by.reason) return open.map((t) => t.number);
  const named = open.map((t) => `${t.number} „${t.title}“`).join(', ');
  throw new Conflict(`The conversation has open tasks: ${open.map((t) => `${t.number} "${t.title}"`).join(', ')}`, {
    openTasks: open.map((t) => ({ id: t.id, number: t.number, title: t.title })),
  }).showing(by.role === 'manager' ? 'tasks.openOnCloseManager' : 'tasks.openOnClose', { tasks: named });
}
