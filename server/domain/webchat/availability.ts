/**
 * What the widget asks before it shows itself: is the site open, is someone there (an agent of its queue online
 * with a free chat slot and the predicted wait under the site's limit), does this visitor hold an invitation,
 * how long is the queue, and after how many seconds on this page to invite.
 */
import type { DbOrTx } from '../../db/client';
import { countOutstandingInvitations, findHeldInvitation } from '../../db/repositories/chatInvitations.repo';
import type { ChatSite } from '../../db/repositories/chatSites.repo';
import { waitingChats } from '../../db/repositories/chatSessions.repo';
import { chatSlots, siteIsOpen } from './capacity';
import { expectedWaitSeconds } from './expectedWait';
import { inviteAfterSeconds } from './invitationRules';
import { measureQueueState } from './queue';

export type Availability = {
  open: boolean;
  online: boolean;
  invite: boolean;
  expectedWaitSeconds: number;
  queueLength: number;
  inviteAfterSeconds: number | null;
};

/**
 * A new visitor's expected wait counts the chats waiting for routing and the invitations out (each will take a
 * slot) as ahead of them.
 */
export async function siteAvailability(
  db: DbOrTx,
  site: ChatSite,
  visitor: { visitorId: string | null; page: string | null },
  now: Date,
): Promise<Availability> {
  const [open, slots, waiting, outstanding, held] = await Promise.all([
    siteIsOpen(db, site, now),
    chatSlots(db, site),
    waitingChats(db, site.id),
    countOutstandingInvitations(db, site.id, now),
    visitor.visitorId ? findHeldInvitation(db, site.id, visitor.visitorId, now) : undefined,
  ]);
  const ahead = waiting.filter((w) => w.unassigned).length + outstanding;
  const wait = Math.round(expectedWaitSeconds(await measureQueueState(db, site.id, slots, ahead, now)));
  return {
    open,
    online: open && slots.freeSlots > 0 && wait < site.maxWaitSeconds,
    invite: held !== undefined,
    expectedWaitSeconds: wait,
    queueLength: waiting.length,
    inviteAfterSeconds: inviteAfterSeconds(site.invitationRules, visitor.page),
  };
}
