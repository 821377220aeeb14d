/**
 * The public case status: a case number and an e-mail address (or a signed link) give the case's status in
 * plain words and its public messages. A wrong number, a wrong address and input that is no number at all
 * all end in `undefined` through the same single query — the page answers them identically.
 */
import { z } from 'zod';
import type { DbOrTx } from '../../db/client';
import { findCaseByNumber, findCaseForCustomer, publicMessages, type CustomerCase } from '../../db/repositories/caseStatus.repo';
import type { Signer } from '../../crypto/signing';
import { CASE_NUMBER, verifyCaseLink } from './caseLink';
import { listTasksOf } from '../../db/repositories/tasks.repo';
import { customerStatus, replyAuthor, type StatusLine } from './statusWording';

export const caseQuery = z.object({
  caseNumber: z.string().max(40).default(''),
  email: z.string().max(320).default(''),
});

export type CaseView = {
  caseNumber: string;
  status: StatusLine;
  updatedAt: Date;
  /** automatic: the bot wrote it (shown labelled, EU AI Act Art. 50); author null for it and for the customer */
  messages: { fromCustomer: boolean; automatic: boolean; author: string | null; text: string; postedAt: Date }[];
};

async function viewOf(db: DbOrTx, found: CustomerCase): Promise<CaseView> {
  const [messages, tasks] = await Promise.all([publicMessages(db, found.id), listTasksOf(db, found.id)]);
  return {
    caseNumber: found.caseNumber,
    status: customerStatus(found.status, tasks),
    updatedAt: found.updatedAt,
    messages: messages.map((m) => ({
      fromCustomer: m.direction === 'inbound',
      automatic: m.authorKind === 'bot',
      author: m.direction === 'inbound' || m.authorKind === 'bot' ? null : replyAuthor(m.agentName, found.channelName),
      text: m.text,
      postedAt: m.postedAt,
    })),
  };
}

/** `#1234`, ` 1234 ` and `1234` are the same case number; anything else is no number (and finds nothing). */
export function normaliseCaseNumber(raw: string): string | null {
  const digits = raw.trim().replace(/^#/, '');
  return CASE_NUMBER.test(digits) ? digits : null;
}

/** `Erika@Kundin.example ` and `erika@kundin.example` are one address (the look-up compares lower-case too). */
export function normaliseEmail(raw: string): string {
  return raw.trim().toLowerCase();
}

export async function lookupCase(db: DbOrTx, raw: z.input<typeof caseQuery>): Promise<CaseView | undefined> {
  const { caseNumber, email } = caseQuery.parse(raw);
  const found = await findCaseForCustomer(db, normaliseCaseNumber(caseNumber), normaliseEmail(email));
  return found && viewOf(db, found);
}

export async function lookupSignedCase(db: DbOrTx, signer: Signer, caseNumber: string, signature: string): Promise<CaseView | undefined> {
  if (!verifyCaseLink(signer, caseNumber, signature)) return undefined;
  const found = await findCaseByNumber(db, caseNumber);
  return found && viewOf(db, found);
}
