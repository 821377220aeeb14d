/**
 * Retention per channel: closed conversations keep personal data `retentionDays` after closing; the nightly run
 * anonymises what is due (texts, names, handles, links, raw payloads), erases contacts with nothing personal
 * left, keeps every figure, and records what it did as one audit event.
 */
import { z } from 'zod';
import type { Db, Tx } from '../../db/client';
import type { Role } from '../../db/schema';
import { appendAudit } from '../../db/repositories/audit.repo';
import { findChannel } from '../../db/repositories/channels.repo';
import { anonymiseConversations, contactsWithNothingLeft, findConversationsPastRetention, setChannelRetention } from '../../db/repositories/personalData.repo';
import { Forbidden, NotFound } from '../../errors';
import { type Actor, systemActor } from '../audit/actor';
import { can } from '../auth/permissions';
import { parseInput } from '../parseInput';
import { erasePersonalData } from './eraseContact';

export const retentionInput = z.object({ channelId: z.uuid(), retentionDays: z.number().int().min(1).max(3650).nullable() }).strict();

export async function setRetention(tx: Tx, raw: z.input<typeof retentionInput>, by: { actor: Actor; role: Role }) {
  const { channelId, retentionDays } = parseInput(retentionInput, raw, 'retention');
  if (!can(by.role, 'settings.manage')) throw new Forbidden('Only managers and admins may change retention');
  const before = await findChannel(tx, channelId);
  if (!before) throw new NotFound('Channel');
  await setChannelRetention(tx, channelId, retentionDays);
  if (before.retentionDays !== retentionDays) {
    await appendAudit(tx, {
      actor: by.actor,
      action: 'channel.retention_changed',
      subjectType: 'channel',
      subjectId: channelId,
      channelId,
      before: { retentionDays: before.retentionDays },
      after: { retentionDays },
    });
  }
  return { channelId, retentionDays };
}

const BATCH = 200;

export type RetentionRun = { conversations: number; messages: number; contacts: number; byChannel: Record<string, number> };

/** One run: batches of due conversations, each batch in its own transaction with its audit event. */
export async function applyRetention(db: Db, now = new Date(), actor = systemActor('job:retention')): Promise<RetentionRun> {
  const run: RetentionRun = { conversations: 0, messages: 0, contacts: 0, byChannel: {} };
  for (;;) {
    const done = await db.transaction().execute(async (tx) => {
      const due = await findConversationsPastRetention(tx, now, BATCH);
      if (due.length === 0) return 0;
      const { messages } = await anonymiseConversations(
        tx,
        due.map((c) => c.id),
      );
      const contacts = await contactsWithNothingLeft(tx, [...new Set(due.map((c) => c.contactId))]);
      if (contacts.length > 0) await erasePersonalData(tx, contacts);
      const byChannel: Record<string, number> = {};
      for (const c of due) byChannel[c.channelId] = (byChannel[c.channelId] ?? 0) + 1;
      await appendAudit(tx, {
        actor,
        action: 'retention.applied',
        subjectType: 'retention',
        subjectId: null,
        after: { conversations: due.length, messages, contacts: contacts.length, byChannel },
      });
      run.conversations += due.length;
      run.messages += messages;
      run.contacts += contacts.length;
      for (const [id, n] of Object.entries(byChannel)) run.byChannel[id] = (run.byChannel[id] ?? 0) + n;
      return due.length;
    });
    if (done < BATCH) return run;
  }
}
