/** The demo WhatsApp channel's Graph API, served by the console itself outside production: accepts sends, returns a wamid. */
import express, { Router } from 'express';
import type { Services } from '../services';
import { DEMO_GRAPH_PATH } from './demoMessaging';

export function demoGraphSinkRoutes(_services: Services): Router {
  const router = Router();
  router.post(`${DEMO_GRAPH_PATH}/:phoneNumberId/messages`, express.json({ limit: '100kb' }), (req, res) => {
    if (req.get('authorization') !== 'Bearer demo-access-token') {
      return void res.status(401).json({ error: { message: 'Invalid OAuth access token', code: 190 } });
    }
    req.log.info({ phoneNumberId: req.params.phoneNumberId }, 'demo Graph sink received a WhatsApp message');
    res.json({ messaging_product: 'whatsapp', contacts: [{ input: req.body?.to, wa_id: req.body?.to }], messages: [{ id: `wamid.DEMO${Date.now()}` }] });
  });
  return router;
}
