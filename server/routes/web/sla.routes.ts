/** /settings/sla: calendars, SLA policies and channel assignments (managers edit, agents read); breach reasons. */
import { Router, type Request, type Response } from 'express';
import { listCalendars, listChannelsWithSla, listPolicies } from '../../db/repositories/sla.repo';
import { userActor } from '../../domain/audit/actor';
import { can } from '../../domain/auth/permissions';
import { inTransaction } from '../../domain/effects';
import { parseInput } from '../../domain/parseInput';
import {
  changeCalendar, changeChannelSla, changePolicy, createCalendar, createPolicy, presentCalendarRow, presentPolicyRow, recordBreachReason,
} from '../../domain/sla/settings';
import { HttpError, NotFound } from '../../errors';
import { requirePermission } from '../../middleware/auth';
import type { Services } from '../../services';
import {
  breachReasonBody, calendarFromForm, channelSlaBody, channelSlaFromForm, idParam, intervalsText, policyBody, policyFromForm, WEEKDAY_KEYS,
} from '../api/sla.schema';

type FormState = { errors: Record<string, string>; drafts: Record<string, Record<string, unknown>> };

export function slaWebRoutes({ db, dispatcher }: Services): Router {
  const router = Router();
  const manage = requirePermission('settings.manage');

  async function page(req: Request, res: Response, state: FormState = { errors: {}, drafts: {} }) {
    const [calendars, policies, channels] = await Promise.all([listCalendars(db), listPolicies(db), listChannelsWithSla(db)]);
    res.render('settings-sla', {
      calendars: calendars.map(presentCalendarRow), policies: policies.map(presentPolicyRow), channels,
      canManage: can(req.user!.role, 'settings.manage'), saved: req.query.saved === '1', weekdays: WEEKDAY_KEYS, intervalsText, ...state,
    });
  }

  /** Runs one change; a 4xx re-renders the page with the problem next to the form and the user's input kept. */
  const submit = (formKey: (req: Request) => string, change: (req: Request, actor: ReturnType<typeof userActor>) => Promise<unknown>) =>
    async (req: Request, res: Response) => {
      try {
        await change(req, userActor(req.user!, req.ip));
      } catch (err) {
        if (!(err instanceof HttpError) || err.status >= 500) throw err;
        res.status(err.status);
        const key = formKey(req);
        return page(req, res, { errors: { [key]: err.message }, drafts: { [key]: req.body ?? {} } });
      }
      res.redirect(303, '/settings/sla?saved=1');
    };
  const idOf = (req: Request) => {
    const parsed = idParam.safeParse(req.params);
    if (!parsed.success) throw new NotFound('Setting');
    return parsed.data.id;
  };
  const tx = <T>(fn: Parameters<typeof inTransaction<T>>[2]) => inTransaction(db, dispatcher, fn);

  router.get('/settings/sla', requirePermission('conversation.read'), (req, res) => page(req, res));

  router.post('/settings/sla/calendars', manage, submit(() => 'calendar-new',
    (req, actor) => tx((t) => createCalendar(t, calendarFromForm(req.body ?? {}), actor))));
  router.post('/settings/sla/calendars/:id', manage, submit((req) => `calendar-${req.params.id}`,
    (req, actor) => tx((t) => changeCalendar(t, idOf(req), calendarFromForm(req.body ?? {}), actor))));
  router.post('/settings/sla/policies', manage, submit(() => 'policy-new',
    (req, actor) => tx((t) => createPolicy(t, parseInput(policyBody, policyFromForm(req.body ?? {}), 'SLA policy'), actor))));
  router.post('/settings/sla/policies/:id', manage, submit((req) => `policy-${req.params.id}`,
    (req, actor) => tx((t) => changePolicy(t, idOf(req), parseInput(policyBody, policyFromForm(req.body ?? {}), 'SLA policy'), actor))));
  router.post('/settings/sla/channels/:id', manage, submit((req) => `channel-${req.params.id}`,
    (req, actor) => tx((t) => changeChannelSla(t, idOf(req), parseInput(channelSlaBody, channelSlaFromForm(req.body ?? {}), 'channel'), actor))));

  router.post('/conversations/:id/messages/:messageId/breach-reason', manage, async (req, res) => {
    const messageId = idParam.safeParse({ id: req.params.messageId });
    if (!messageId.success) throw new NotFound('Message');
    const { reason } = parseInput(breachReasonBody, req.body ?? {}, 'breach reason');
    const { conversationId } = await tx((t) => recordBreachReason(t, messageId.data.id, reason, userActor(req.user!, req.ip)));
    res.redirect(303, `/conversations/${conversationId}`);
  });

  return router;
}
