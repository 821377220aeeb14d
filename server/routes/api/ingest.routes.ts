/** POST /api/v1/channels/:channelId/messages — the API channel's ingest, authenticated by the channel's token. */
import { timingSafeEqual } from 'node:crypto';
import { Router } from 'express';
import { hashToken } from '../../crypto/tokens';
import { findChannel } from '../../db/repositories/channels.repo';
import { ingestInbound } from '../../domain/conversations/ingestInbound';
import { inTransaction } from '../../domain/effects';
import { NotFound, Unauthorized } from '../../errors';
import { bearerToken } from '../../middleware/auth';
import { parseInput } from '../../domain/parseInput';
import type { Services } from '../../services';
import { channelParam, ingestBody } from './ingest.schema';

export function ingestRoutes({ db, dispatcher }: Services): Router {
  const router = Router();
  router.post('/channels/:channelId/messages', async (req, res) => {
    const { channelId } = parseInput(channelParam.catch({ channelId: '' }), req.params, 'channel');
    const channel = channelId ? await findChannel(db, channelId) : undefined;
    if (channel?.kind !== 'api') throw new NotFound('Channel');
    const token = bearerToken(req);
    if (!token || !channel.ingestTokenHash || !sameHash(hashToken(token), channel.ingestTokenHash)) {
      throw new Unauthorized('A valid ingest token for this channel is required (Authorization: Bearer <token>)');
    }
    const body = parseInput(ingestBody, req.body, 'message');
    const actor = { type: 'api_channel' as const, id: channel.id, label: `channel:${channel.name}`, ip: req.ip ?? null };
    const result = await inTransaction(db, dispatcher, (tx, effects) =>
      ingestInbound(
        tx,
        effects,
        {
          channelId: channel.id,
          externalId: body.externalId,
          author: { externalId: body.author.externalId, name: body.author.name, handle: body.author.handle ?? null },
          text: body.text,
          postedAt: new Date(body.postedAt),
          inReplyToExternalId: body.inReplyToExternalId ?? null,
          url: body.url ?? null,
          language: body.language ?? null,
          region: body.region ?? null,
          raw: req.body,
        },
        actor,
      ),
    );
    res.status(result.created ? 201 : 200).json({ messageId: result.messageId, conversationId: result.conversationId, caseNumber: result.caseNumber });
  });
  return router;
}

function sameHash(a: string, b: string): boolean {
  return a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));
}
