/**
 * Capacity: an agent has slots per channel class, and which conversations occupy one.
 *
 * A conversation occupies a slot of its assignee while its status is `assigned` (waiting on us). It frees
 * the slot once it is answered (waiting on the customer), saved (parked on purpose) or closed; `new`
 * conversations have no assignee. A reopened conversation takes a slot again. A live chat is different: the
 * visitor is on the page, so an answered chat keeps its slot while its chat session is open (not ended) — a
 * webchat case without an open session (an offline-form case, an ended chat) is ordinary work.
 * routing.repo slotsInUse counts the same way in SQL.
 */
import type { ChannelKind, ConversationStatus } from '../../db/schema';

export type SlotClass = 'chat' | 'messaging' | 'social' | 'email';
export const SLOT_CLASSES: readonly SlotClass[] = ['chat', 'messaging', 'social', 'email'];

export type Capacity = Record<SlotClass, number>;

/** Slots of an agent whose capacity was never set. */
export const DEFAULT_CAPACITY: Capacity = { chat: 3, messaging: 5, social: 10, email: 15 };

/** The most slots one class may have (a bound on input, not a recommendation). */
export const MAX_SLOTS = 100;

const CLASS_OF_KIND: Record<ChannelKind, SlotClass> = {
  webchat: 'chat',
  whatsapp: 'messaging',
  telegram: 'messaging',
  x: 'social',
  api: 'social',
  email: 'email',
  facebook: 'social',
  instagram: 'social',
};

/** Direct messages on a social network are messaging work, its public posts social work. */
export function slotClassOf(kind: ChannelKind, threadKey: string | null): SlotClass {
  if (threadKey === 'dm') return 'messaging';
  return CLASS_OF_KIND[kind];
}

/** `openChat`: the conversation has a chat session that has not ended (chatSessions.repo hasOpenChat). */
export function occupiesSlot(status: ConversationStatus, openChat: boolean): boolean {
  return status === 'assigned' || (status === 'answered' && openChat);
}

/**
 * The slots routing counts with, per class: the agent's own; else the largest default among their teams that
 * set one (being in a team never gives fewer slots than that team's default); else the global default.
 */
export function effectiveCapacity(own: Partial<Capacity>, teamDefaults: readonly Partial<Capacity>[]): Capacity {
  const of = (c: SlotClass) => {
    if (own[c] !== undefined) return own[c];
    const set = teamDefaults.map((d) => d[c]).filter((n) => n !== undefined);
    return set.length > 0 ? Math.max(...set) : DEFAULT_CAPACITY[c];
  };
  return { chat: of('chat'), messaging: of('messaging'), social: of('social'), email: of('email') };
}
