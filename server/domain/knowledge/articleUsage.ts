/**
 * Usage of the public help pages: an article's views and its "Hat das geholfen?" answers, each counted once
 * per visitor and UTC day. A visitor is a keyed hash of IP address, user agent and day — no cookie, nothing
 * stored that names the person, and tomorrow the same visitor is a new one.
 */
import type { Db } from '../../db/client';
import type { ArticleUsageKind } from '../../db/schema';
import { countUsage } from '../../db/repositories/knowledgeArticles.repo';
import type { Signer } from '../../crypto/signing';

export type Visitor = { ip: string; userAgent: string };

/** The UTC day a visit belongs to (YYYY-MM-DD): the hash, the stored row and the clean-up all use it. */
export function usageDay(now: Date): string {
  return now.toISOString().slice(0, 10);
}

export function visitorHash(signer: Signer, visitor: Visitor, now = new Date()): string {
  return signer.sign(`${usageDay(now)}|${visitor.ip}|${visitor.userAgent.slice(0, 500)}`);
}

function count(db: Db, signer: Signer, articleId: string, kind: ArticleUsageKind, visitor: Visitor, counter: 'views' | 'helpful' | 'notHelpful', now: Date) {
  const usage = { articleId, kind, visitorHash: visitorHash(signer, visitor, now), day: usageDay(now) };
  return db.transaction().execute((tx) => countUsage(tx, usage, counter));
}

/** Counts a view of the article; false when this visitor was already counted today (UTC). */
export function recordView(db: Db, signer: Signer, articleId: string, visitor: Visitor, now = new Date()): Promise<boolean> {
  return count(db, signer, articleId, 'view', visitor, 'views', now);
}

/** Counts a visitor's answer (helped or not); false when this visitor already answered for this article today (UTC). */
export function recordVote(db: Db, signer: Signer, articleId: string, helped: boolean, visitor: Visitor, now = new Date()): Promise<boolean> {
  return count(db, signer, articleId, 'vote', visitor, helped ? 'helpful' : 'notHelpful', now);
}
