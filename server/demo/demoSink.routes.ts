/**
 * The demo channels' webhook receiver, served by the console itself outside production, so that
 * replies in the demo are really delivered: it checks the HMAC signature like a customer's endpoint would.
 */
import { timingSafeEqual } from 'node:crypto';
import express, { Router } from 'express';
import { SIGNATURE_HEADER, signBody } from '../../connectors/api/apiConnector';
import { findConversationDetail } from '../db/repositories/conversations.repo';
import { loadChannelForSend } from '../domain/channels/loadChannelForSend';
import type { Services } from '../services';
import { DEMO_SINK_PATH } from './loadDemo';

export function demoSinkRoutes({ db, secretBox }: Services): Router {
  const router = Router();
  router.post(DEMO_SINK_PATH, express.text({ type: 'application/json', limit: '1mb' }), async (req, res) => {
    const body = typeof req.body === 'string' ? req.body : '';
    let conversationId: unknown;
    try {
      conversationId = (JSON.parse(body) as { conversationId?: unknown }).conversationId;
    } catch {
      return void res.status(400).json({ error: 'body is not JSON' });
    }
    const conversation =
      typeof conversationId === 'string' && /^[0-9a-f-]{36}$/.test(conversationId) ? await findConversationDetail(db, conversationId) : undefined;
    const channel = conversation && (await loadChannelForSend(db, secretBox, conversation.channelId));
    const secret = channel?.credentials.webhookSecret;
    const sent = Buffer.from(req.get(SIGNATURE_HEADER) ?? '');
    const expected = Buffer.from(secret ? signBody(secret, body) : '');
    if (!secret || sent.length !== expected.length || !timingSafeEqual(sent, expected)) {
      return void res.status(401).json({ error: 'signature does not match' });
    }
    req.log.info({ conversationId }, 'demo sink received a signed reply');
    res.json({ id: `demo-${req.get('idempotency-key') ?? Date.now()}` });
  });
  return router;
}
