/** Service-level settings for integrations: calendars, SLA policies, a channel's calendar and policy. */
import { Router } from 'express';
import { findCalendar, findPolicy } from '../../db/repositories/sla.repo';
import { userActor } from '../../domain/audit/actor';
import { inTransaction } from '../../domain/effects';
import { parseInput } from '../../domain/parseInput';
import { changeCalendar, changeChannelSla, changePolicy, createCalendar, createPolicy, presentCalendarRow, presentPolicyRow } from '../../domain/sla/settings';
import { NotFound } from '../../errors';
import { requirePermission } from '../../middleware/auth';
import { pathId, uuidParam } from '../../middleware/validate';
import type { Services } from '../../services';
import { calendarBody, channelSlaBody, policyBody } from './sla.schema';

export function slaApiRoutes({ db, dispatcher }: Services): Router {
  const router = Router();
  const manage = requirePermission('settings.manage');
  router.param('id', uuidParam('Setting'));
  const tx = <T>(fn: Parameters<typeof inTransaction<T>>[2]) => inTransaction(db, dispatcher, fn);

  router.post('/calendars', manage, async (req, res) => {
    const body = parseInput(calendarBody, req.body, 'calendar');
    res.status(201).json(await tx((t) => createCalendar(t, body, userActor(req.user!, req.ip))));
  });
  router.get('/calendars/:id', requirePermission('conversation.read'), async (req, res) => {
    const row = await findCalendar(db, pathId(req));
    if (!row) throw new NotFound('Calendar');
    res.json(presentCalendarRow(row));
  });
  router.put('/calendars/:id', manage, async (req, res) => {
    const id = pathId(req);
    const body = parseInput(calendarBody, req.body, 'calendar');
    res.json(await tx((t) => changeCalendar(t, id, body, userActor(req.user!, req.ip))));
  });

  router.post('/sla-policies', manage, async (req, res) => {
    const body = parseInput(policyBody, req.body, 'SLA policy');
    res.status(201).json(await tx((t) => createPolicy(t, body, userActor(req.user!, req.ip))));
  });
  router.get('/sla-policies/:id', requirePermission('conversation.read'), async (req, res) => {
    const row = await findPolicy(db, pathId(req));
    if (!row) throw new NotFound('SLA policy');
    res.json(presentPolicyRow(row));
  });
  router.put('/sla-policies/:id', manage, async (req, res) => {
    const id = pathId(req);
    const body = parseInput(policyBody, req.body, 'SLA policy');
    res.json(await tx((t) => changePolicy(t, id, body, userActor(req.user!, req.ip))));
  });

  router.patch('/channels/:id', manage, async (req, res) => {
    const id = pathId(req);
    const body = parseInput(channelSlaBody, req.body, 'channel');
    res.json(await tx((t) => changeChannelSla(t, id, body, userActor(req.user!, req.ip))));
  });

  return router;
}
