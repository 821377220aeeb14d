/**
 * Which time a post is stored with. Sources say when a post was written (X's created_at, an e-mail's
 * Date header, WhatsApp's and Telegram's timestamps, the API's postedAt), and the SLA clock starts
 * there. A source can be wrong or hostile — a year-9999 post would be due in 9999, a year-0001 post
 * breached since antiquity — so a claim is believed only inside a window around its receipt:
 *
 * - at most MAX_AHEAD_MS (5 minutes) after the receipt: clocks of senders and servers drift by
 *   seconds, not hours, and nothing is posted in the future;
 * - at most MAX_BEHIND_MS (30 days) before the receipt: the longest honest delays of our channels are
 *   days (WhatsApp and Meta retry webhooks for up to 7 days, X's recent search reaches 7 days back,
 *   Telegram keeps updates for 24 hours, a poller may be down over a long weekend). An older mail
 *   found in a freshly connected mailbox is work that reached the team now, so its clock starts now
 *   too instead of it arriving breached.
 *
 * Outside the window (or when the claim is no date at all) the receipt time is used, and the claim
 * is kept verbatim (messages.claimed_posted_at and the message.received audit event), so nothing is
 * lost. Pure: no clock of its own, the caller passes the receipt time.
 */

export const MAX_AHEAD_MS = 5 * 60_000;
export const MAX_BEHIND_MS = 30 * 86_400_000;

export type PostTime = {
  /** the time the post is stored and timed with */
  postedAt: Date;
  /** the source's claim when it was not believed (ISO 8601, or "Invalid Date"); null when postedAt is the claim */
  claimedPostedAt: string | null;
};

export function believablePostTime(claimed: Date, receivedAt: Date): PostTime {
  const at = claimed.getTime();
  const received = receivedAt.getTime();
  if (at >= received - MAX_BEHIND_MS && at <= received + MAX_AHEAD_MS) return { postedAt: claimed, claimedPostedAt: null };
  return { postedAt: receivedAt, claimedPostedAt: Number.isNaN(at) ? 'Invalid Date' : claimed.toISOString() };
}
