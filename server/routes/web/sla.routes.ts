/** /settings/sla: calendars, SLA policies and channel assignments (managers edit, agents read); breach reasons. */
import { Router, type Request, type Response } from 'express';
import { listCalendars, listChannelsWithSla, listPolicies } from '../../db/repositories/sla.repo';
import { userActor } from '../../domain/audit/actor';
import { inTransaction } from '../../domain/effects';
import {
  changeCalendar,
  changeChannelSla,
  changePolicy,
  createCalendar,
  createPolicy,
  presentCalendarRow,
  presentPolicyRow,
  recordBreachReason,
} from '../../domain/sla/settings';
import { requirePermission } from '../../middleware/auth';
import { rerenderForm } from '../../middleware/errors';
import { pathId, uuidParam, validate } from '../../middleware/validate';
import type { Services } from '../../services';
import {
  breachReasonBody,
  calendarFromForm,
  channelSlaBody,
  channelSlaFromForm,
  intervalsText,
  policyBody,
  policyFromForm,
  WEEKDAY_KEYS,
} from '../api/sla.schema';

export function slaWebRoutes({ db, dispatcher }: Services): Router {
  const router = Router();
  router.param('id', uuidParam('Setting'));
  router.param('messageId', uuidParam('Message'));
  const manage = requirePermission('settings.manage');
  const tx = <T>(fn: Parameters<typeof inTransaction<T>>[2]) => inTransaction(db, dispatcher, fn);

  async function page(req: Request, res: Response) {
    const [calendars, policies, channels] = await Promise.all([listCalendars(db), listPolicies(db), listChannelsWithSla(db)]);
    res.render('settings-sla', {
      calendars: calendars.map(presentCalendarRow),
      policies: policies.map(presentPolicyRow),
      channels,
      saved: req.query.saved === '1',
      weekdays: WEEKDAY_KEYS,
      intervalsText,
    });
  }
  /** A refused change re-renders the page with the problem next to its form and the user's input kept. */
  const form = (key: (req: Request) => string) => [manage, rerenderForm(key, page)] as const;
  const saved = (_req: Request, res: Response) => res.redirect(303, '/settings/sla?saved=1');
  const actor = (req: Request) => userActor(req.user!, req.ip);

  router.get('/settings/sla', requirePermission('conversation.read'), page);

  router.post('/settings/sla/calendars', ...form(() => 'calendar-new'), async (req, res) => {
    await tx((t) => createCalendar(t, calendarFromForm(req.body ?? {}), actor(req)));
    saved(req, res);
  });
  router.post('/settings/sla/calendars/:id', ...form((req) => `calendar-${pathId(req)}`), async (req, res) => {
    await tx((t) => changeCalendar(t, pathId(req), calendarFromForm(req.body ?? {}), actor(req)));
    saved(req, res);
  });
  router.post(
    '/settings/sla/policies',
    ...form(() => 'policy-new'),
    validate(policyBody, (req) => policyFromForm(req.body ?? {})),
    async (req, res) => {
      await tx((t) => createPolicy(t, res.locals.input, actor(req)));
      saved(req, res);
    },
  );
  router.post(
    '/settings/sla/policies/:id',
    ...form((req) => `policy-${pathId(req)}`),
    validate(policyBody, (req) => policyFromForm(req.body ?? {})),
    async (req, res) => {
      await tx((t) => changePolicy(t, pathId(req), res.locals.input, actor(req)));
      saved(req, res);
    },
  );
  router.post(
    '/settings/sla/channels/:id',
    ...form((req) => `channel-${pathId(req)}`),
    validate(channelSlaBody, (req) => channelSlaFromForm(req.body ?? {})),
    async (req, res) => {
      await tx((t) => changeChannelSla(t, pathId(req), res.locals.input, actor(req)));
      saved(req, res);
    },
  );

  router.post('/conversations/:id/messages/:messageId/breach-reason', manage, validate(breachReasonBody), async (req, res) => {
    const { conversationId } = await tx((t) => recordBreachReason(t, pathId(req, 'messageId'), res.locals.input.reason, actor(req)));
    res.redirect(303, `/conversations/${conversationId}`);
  });

  return router;
}
