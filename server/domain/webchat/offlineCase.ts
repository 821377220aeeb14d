/**
 * The widget's offline path (outside opening hours, or no capacity): the visitor leaves an e-mail address and a
 * message, and a case is created on the site's channel through the ingest pipeline (SLA clock, routing,
 * listening, audit as for every channel). No chat session: the case is answered by e-mail. Every submission is a
 * NEW case of a new identity (offlineIdentity: anyone may type any address, so it never finds, renames or names
 * an existing case); the address goes onto the new contact and the message's raw. A reply written on the
 * channel goes to that address by e-mail through the console's SMTP settings (connectors/webchat), and fails
 * visibly, with the reason, when none are set up.
 */
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { Tx } from '../../db/client';
import type { ChatSite } from '../../db/repositories/chatSites.repo';
import { ingestInbound } from '../conversations/ingestInbound';
import type { Effects } from '../effects';
import { parseInput } from '../parseInput';
import { rememberVisitorEmail } from './visitorContact';
import { chatTextSchema, langOf, langSchema, offlineIdentity, requireConsent, visitorActor, visitorEmailSchema, visitorNameSchema } from './visitorInput';

const offlineInput = z
  .object({ email: visitorEmailSchema, text: chatTextSchema, consent: z.literal(true), name: visitorNameSchema.optional(), lang: langSchema.optional() })
  .strict();

export async function createOfflineCase(
  tx: Tx,
  effects: Effects,
  site: ChatSite,
  raw: unknown,
  by: { ip: string | null; now: Date },
): Promise<{ caseNumber: string }> {
  requireConsent(raw);
  const input = parseInput(offlineInput, raw, 'offline message');
  const submissionId = randomUUID();
  const result = await ingestInbound(
    tx,
    effects,
    {
      channelId: site.channelId,
      externalId: `webchat-offline-${submissionId}`,
      author: { externalId: offlineIdentity(submissionId, input.email), name: input.name ?? input.email },
      text: input.text,
      postedAt: by.now,
      language: langOf(input.lang),
      raw: { offlineForm: { email: input.email } },
    },
    visitorActor(by.ip),
    by.now,
  );
  await rememberVisitorEmail(tx, result.conversationId, input.email);
  return { caseNumber: result.caseNumber };
}
