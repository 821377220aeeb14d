/**
 * Usage of the public help pages: an article's views and its "Hat das geholfen?" answers, each counted once
 * per visitor and day. A visitor is a keyed hash of IP address, user agent and day — no cookie, nothing
 * stored that names the person, and tomorrow the same visitor is a new one.
 */
import type { Db } from '../../db/client';
import { countUsage } from '../../db/repositories/knowledgeArticles.repo';
import type { Signer } from '../../crypto/signing';

export type Visitor = { ip: string; userAgent: string };

export function visitorHash(signer: Signer, visitor: Visitor, now = new Date()): string {
  const day = now.toISOString().slice(0, 10);
  return signer.sign(`${day}|${visitor.ip}|${visitor.userAgent.slice(0, 500)}`);
}

/** Counts a view of the article; false when this visitor was already counted today. */
export function recordView(db: Db, signer: Signer, articleId: string, visitor: Visitor): Promise<boolean> {
  return db.transaction().execute((tx) => countUsage(tx, articleId, 'view', visitorHash(signer, visitor), 'views'));
}

/** Counts a visitor's answer (helped or not); false when this visitor already answered for this article today. */
export function recordVote(db: Db, signer: Signer, articleId: string, helped: boolean, visitor: Visitor): Promise<boolean> {
  return db.transaction().execute((tx) => countUsage(tx, articleId, 'vote', visitorHash(signer, visitor), helped ? 'helpful' : 'notHelpful'));
}
