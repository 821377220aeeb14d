/**
 * The order of a queue: the SLA due soonest first (a conversation without a due time after every one with),
 * then the higher priority, then the longest waiting; the id breaks a last tie so the order is total.
 */
import type { Priority } from '../../db/schema';

export type Queued = { id: string; dueAt: Date | null; priority: Priority; waitingSince: Date };

const RANK: Record<Priority, number> = { urgent: 0, high: 1, normal: 2, low: 3 };

export function compareQueued(a: Queued, b: Queued): number {
  if (a.dueAt && b.dueAt && a.dueAt.getTime() !== b.dueAt.getTime()) return a.dueAt.getTime() - b.dueAt.getTime();
  if (a.dueAt && !b.dueAt) return -1;
  if (!a.dueAt && b.dueAt) return 1;
  if (RANK[a.priority] !== RANK[b.priority]) return RANK[a.priority] - RANK[b.priority];
  if (a.waitingSince.getTime() !== b.waitingSince.getTime()) return a.waitingSince.getTime() - b.waitingSince.getTime();
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}
