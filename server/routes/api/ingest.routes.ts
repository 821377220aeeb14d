/**
 * The API channel's ingest, authenticated by the channel's token:
 * - POST /api/v1/channels/:channelId/messages — one post; concurrent posts share a transaction (group
 *   commit, domain/conversations/ingestGroups.ts), each answered after the commit that holds it;
 * - POST /api/v1/channels/:channelId/messages/batch — up to 500 posts in one transaction, one result each.
 * Mounted before the API's body parser: each route reads its body with its own limit.
 */
import { timingSafeEqual } from 'node:crypto';
import express, { Router, type NextFunction, type Request, type Response } from 'express';
import type { NormalizedInbound } from '../../../connectors/types';
import { hashToken } from '../../crypto/tokens';
import { findChannel } from '../../db/repositories/channels.repo';
import type { Actor } from '../../domain/audit/actor';
import { createIngestGroups } from '../../domain/conversations/ingestGroups';
import { ingestPostBatch } from '../../domain/conversations/ingestPostBatch';
import { NotFound, Unauthorized } from '../../errors';
import { bearerToken } from '../../middleware/auth';
import { rejectUnstorableText } from '../../middleware/storableText';
import { parseInput } from '../../domain/parseInput';
import { assertStorable } from '../../domain/storableText';
import type { Services } from '../../services';
import { BATCH_BODY_LIMIT, channelParam, ingestBatchBody, ingestBody, type IngestBody } from './ingest.schema';

export function ingestRoutes(services: Services): Router {
  const { db, dispatcher } = services;
  const groups = createIngestGroups(db, dispatcher);
  const router = Router();
  // The channel and its token are checked before the body is read: a stranger's megabytes are never parsed.
  const authenticate = async (req: Request, res: Response, next: NextFunction) => {
    res.locals.ingesting = await ingestingChannel(services, req);
    next();
  };
  const ingesting = (res: Response) => res.locals.ingesting as Awaited<ReturnType<typeof ingestingChannel>>;
  router.post('/channels/:channelId/messages', authenticate, express.json({ limit: '1mb' }), rejectUnstorableText, async (req, res) => {
    const { channel, actor } = ingesting(res);
    const body = parseInput(ingestBody, req.body, 'message');
    const result = await groups.ingest(inboundOf(channel.id, body, req.body), actor);
    res.status(result.created ? 201 : 200).json({ messageId: result.messageId, conversationId: result.conversationId, caseNumber: result.caseNumber });
  });
  router.post('/channels/:channelId/messages/batch', authenticate, express.json({ limit: BATCH_BODY_LIMIT }), async (req, res) => {
    const { channel, actor } = ingesting(res);
    const { posts } = parseInput(ingestBatchBody, req.body, 'batch');
    const read = (raw: unknown) => {
      assertStorable(raw, 'message');
      return inboundOf(channel.id, parseInput(ingestBody, raw, 'message'), raw);
    };
    res.json(await ingestPostBatch(db, dispatcher, posts, read, actor));
  });
  return router;
}

/** The API channel of the path, when the request carries its ingest token (404 / 401 before the body is looked at). */
async function ingestingChannel({ db }: Services, req: Request) {
  const { channelId } = parseInput(channelParam.catch({ channelId: '' }), req.params, 'channel');
  const channel = channelId ? await findChannel(db, channelId) : undefined;
  if (channel?.kind !== 'api') throw new NotFound('Channel');
  const token = bearerToken(req);
  if (!token || !channel.ingestTokenHash || !sameHash(hashToken(token), channel.ingestTokenHash)) {
    throw new Unauthorized('A valid ingest token for this channel is required (Authorization: Bearer <token>)');
  }
  const actor: Actor = { type: 'api_channel', id: channel.id, label: `channel:${channel.name}`, ip: req.ip ?? null };
  return { channel, actor };
}

function inboundOf(channelId: string, body: IngestBody, raw: unknown): NormalizedInbound {
  return {
    channelId,
    externalId: body.externalId,
    author: { externalId: body.author.externalId, name: body.author.name, handle: body.author.handle ?? null },
    text: body.text,
    postedAt: new Date(body.postedAt),
    inReplyToExternalId: body.inReplyToExternalId ?? null,
    url: body.url ?? null,
    language: body.language ?? null,
    region: body.region ?? null,
    raw,
  };
}

function sameHash(a: string, b: string): boolean {
  return a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));
}
