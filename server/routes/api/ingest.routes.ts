/**
 * The API channel's ingest, authenticated by the channel's token:
 * - POST /api/v1/channels/:channelId/messages — one post; concurrent posts share a transaction (group
 *   commit, domain/conversations/ingestGroups.ts), each answered after the commit that holds it;
 * - POST /api/v1/channels/:channelId/messages/batch — up to 500 posts in one transaction, one result each.
 * Mounted before the API's body parser: each route reads its body with its own limit.
 */
import express, { Router, type NextFunction, type Request, type Response } from 'express';
import type { NormalizedInbound } from '../../../connectors/types';
import { hashToken } from '../../crypto/tokens';
import { findChannel } from '../../db/repositories/channels.repo';
import type { Actor } from '../../domain/audit/actor';
import { checkIngestAccess, createIngestAccess } from '../../domain/channels/api/ingestAccess';
import { createIngestGroups } from '../../domain/conversations/ingestGroups';
import { ingestPostBatch } from '../../domain/conversations/ingestPostBatch';
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
  // A single post is checked against this process's recent copy of the channel here and for certain in
  // its group's transaction; a batch pays one look-up of the channel as it is now.
  const remembered = createIngestAccess(db);
  const current = async (channelId: string, tokenHash: string | null) => checkIngestAccess(await findChannel(db, channelId), tokenHash);
  const authenticate = (check: AccessCheck) => async (req: Request, res: Response, next: NextFunction) => {
    res.locals.ingesting = await ingestingChannel(check, req);
    next();
  };
  const ingesting = (res: Response) => res.locals.ingesting as Awaited<ReturnType<typeof ingestingChannel>>;
  router.post('/channels/:channelId/messages', authenticate(remembered), express.json({ limit: '1mb' }), rejectUnstorableText, async (req, res) => {
    const { channel, actor, tokenHash } = ingesting(res);
    const body = parseInput(ingestBody, req.body, 'message');
    const result = await groups.ingest(inboundOf(channel.id, body, req.body), actor, { channelId: channel.id, tokenHash });
    res.status(result.created ? 201 : 200).json({ messageId: result.messageId, conversationId: result.conversationId, caseNumber: result.caseNumber });
  });
  router.post('/channels/:channelId/messages/batch', authenticate(current), express.json({ limit: BATCH_BODY_LIMIT }), async (req, res) => {
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

type AccessCheck = ReturnType<typeof createIngestAccess>;

/** The API channel of the path, when the request carries its ingest token (404 / 401 before the body is looked at). */
async function ingestingChannel(check: AccessCheck, req: Request) {
  const { channelId } = parseInput(channelParam.catch({ channelId: '' }), req.params, 'channel');
  const token = bearerToken(req);
  const tokenHash = token ? hashToken(token) : null;
  const channel = channelId ? await check(channelId, tokenHash) : checkIngestAccess(undefined, tokenHash);
  const actor: Actor = { type: 'api_channel', id: channel.id, label: `channel:${channel.name}`, ip: req.ip ?? null };
  return { channel, actor, tokenHash: tokenHash! };
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
