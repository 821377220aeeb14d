/**
 * What the customer may see of a multi-step case: how far it is ("in Bearbeitung — Schritt 2 von 3"), never
 * what the steps are, who does them or when they are due. Pure; the customer-facing status page of the
 * self-service issue shows it, the conversation JSON carries it as `caseProgress`.
 */
import type { ConversationStatus, TaskState } from '../../db/schema';

export type CaseProgress = {
  /** received: nobody has worked on it yet; in_progress: being worked on; resolved: closed */
  state: 'received' | 'in_progress' | 'resolved';
  /** the step being worked on (1-based; steps when all are done), 0 without steps */
  step: number;
  steps: number;
};

export function caseProgress(status: ConversationStatus, tasks: readonly { state: TaskState }[]): CaseProgress {
  const steps = tasks.length;
  const done = tasks.filter((t) => t.state === 'done').length;
  if (status === 'closed') return { state: 'resolved', step: steps, steps };
  if (steps === 0) return { state: status === 'new' ? 'received' : 'in_progress', step: 0, steps: 0 };
  return { state: 'in_progress', step: Math.min(done + 1, steps), steps };
}

/** The message key and values of a progress line, in the reader's language (server/i18n/messages.ts). */
export function caseProgressText(p: CaseProgress): {
  key: 'progress.received' | 'progress.steps' | 'progress.inProgress' | 'progress.resolved';
  vars: { step: number; steps: number };
} {
  const vars = { step: p.step, steps: p.steps };
  if (p.state === 'received') return { key: 'progress.received', vars };
  if (p.state === 'resolved') return { key: 'progress.resolved', vars };
  return { key: p.steps > 0 ? 'progress.steps' : 'progress.inProgress', vars };
}
