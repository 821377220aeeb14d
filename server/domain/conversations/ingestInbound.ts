/**
 * The ingest pipeline for one normalized inbound post: dedupe → contact → thread → store → status → SLA
 * clock → audit → live event, all in the caller's transaction. Channel-agnostic: every connector hands
 * over the same NormalizedInbound. One post is a batch of one: the rules live in ingestBatch.ts only.
 */
import type { Tx } from '../../db/client';
import type { Actor } from '../audit/actor';
import type { Effects } from '../effects';
import type { NormalizedInbound } from '../../../connectors/types';
import { ingestBatch, type IngestResult } from './ingestBatch';

export type { IngestResult } from './ingestBatch';

export async function ingestInbound(tx: Tx, effects: Effects, post: NormalizedInbound, actor: Actor, receivedAt = new Date()): Promise<IngestResult> {
  const [result] = await ingestBatch(tx, effects, [post], actor, receivedAt);
  return result!;
}
