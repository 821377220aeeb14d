/**
 * Proactive invitations against free capacity: an invitation holds one free chat slot of the site's queue for
 * INVITATION_HOLD_SECONDS (or until the visitor starts the chat, when the chat itself waits for the slot). The
 * site row is locked while deciding, so parallel requests take turns and the site never holds more invitations
 * than it has free slots not yet spoken for. Invitations are not audited: they change no case and no setting
 * (a visitor's browser asks on every page), and they expire on their own.
 */
import type { Db, Tx } from '../../db/client';
import { countOutstandingInvitations, deleteInvitationsBefore, findHeldInvitation, insertInvitation } from '../../db/repositories/chatInvitations.repo';
import { lockChatSite } from '../../db/repositories/chatSites.repo';
import { waitingChats } from '../../db/repositories/chatSessions.repo';
import { NotFound } from '../../errors';
import { chatSlots, siteIsOpen } from './capacity';
import { expectedWaitSeconds } from './expectedWait';
import { inviteAfterSeconds } from './invitationRules';
import { measureQueueState } from './queue';

export const INVITATION_HOLD_SECONDS = 60;

/** Invitations are kept a day after they were made (long expired or used by then), then the sweep deletes them. */
export const INVITATION_KEEP_MS = 24 * 3_600_000;
/** Invitations one sweep deletes at most (the next sweep takes the rest). */
export const INVITATION_PRUNE_LIMIT = 1000;

export function pruneInvitations(db: Db, now: Date): Promise<number> {
  return deleteInvitationsBefore(db, new Date(now.getTime() - INVITATION_KEEP_MS), INVITATION_PRUNE_LIMIT);
}

export type InvitationOffer =
  | { invite: true; invitationId: string; expiresAt: Date }
  | { invite: false; reason: 'closed' | 'no_capacity' | 'wait_too_long' | 'no_rule' };

/**
 * How many more invitations the site may hold: its free chat slots less those already spoken for — by chats
 * waiting to be routed (each takes a free slot when the router runs) and by the invitations still out.
 */
export function invitationsHoldable(freeSlots: number, waitingUnassigned: number, outstanding: number): number {
  return Math.max(0, freeSlots - waitingUnassigned - outstanding);
}

export async function offerInvitation(tx: Tx, siteId: string, visitor: { visitorId: string; page: string | null }, now: Date): Promise<InvitationOffer> {
  const site = await lockChatSite(tx, siteId);
  if (!site) throw new NotFound('Chat site');
  if (!(await siteIsOpen(tx, site, now))) return { invite: false, reason: 'closed' };
  if (inviteAfterSeconds(site.invitationRules, visitor.page) === null) return { invite: false, reason: 'no_rule' };
  // asking again (a reload, a second tab) gets the invitation the visitor already holds, never a second slot
  const held = await findHeldInvitation(tx, site.id, visitor.visitorId, now);
  if (held) return { invite: true, invitationId: held.id, expiresAt: held.expiresAt };
  const [slots, waiting, outstanding] = await Promise.all([chatSlots(tx, site), waitingChats(tx, site.id), countOutstandingInvitations(tx, site.id, now)]);
  const unassigned = waiting.filter((w) => w.unassigned).length;
  if (invitationsHoldable(slots.freeSlots, unassigned, outstanding) === 0) return { invite: false, reason: 'no_capacity' };
  const wait = expectedWaitSeconds(await measureQueueState(tx, site.id, slots, unassigned + outstanding, now));
  if (wait >= site.maxWaitSeconds) return { invite: false, reason: 'wait_too_long' };
  const made = await insertInvitation(tx, {
    siteId: site.id,
    visitorId: visitor.visitorId,
    createdAt: now,
    expiresAt: new Date(now.getTime() + INVITATION_HOLD_SECONDS * 1000),
  });
  return { invite: true, invitationId: made.id, expiresAt: made.expiresAt };
}
