/**
 * /settings/sla: calendars (a structured weekly editor, holiday region, closures, extra openings), SLA
 * policies, the policy of each channel and topic, retiring calendars and policies (managers edit,
 * agents read); breach reasons.
 */
import { Router, type Request, type Response } from 'express';
import { listCalendars, listChannelsWithSla, listPolicies, listTopicsWithSla } from '../../db/repositories/sla.repo';
import type { Locale } from '../../db/schema';
import { userActor } from '../../domain/audit/actor';
import { inTransaction } from '../../domain/effects';
import { holidayRegions, publicHolidays } from '../../domain/sla/holidayRegions';
import { retireCalendar, retirePolicy } from '../../domain/sla/retirement';
import {
  changeCalendar,
  changeChannelSla,
  changePolicy,
  changeTopicSla,
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
  calendarDraftFromForm,
  calendarDraftOf,
  calendarFromForm,
  channelSlaBody,
  channelSlaFromForm,
  policyBody,
  policyFromForm,
  topicSlaBody,
  WEEKDAY_KEYS,
} from '../api/sla.schema';

const NEW_CALENDAR = calendarDraftFromForm({
  name: '',
  timeZone: 'Europe/Berlin',
  holidays: 'DE-NW',
  ...Object.fromEntries(
    ['mon', 'tue', 'wed', 'thu', 'fri'].flatMap((day) => [
      [`${day}_from`, '08:00'],
      [`${day}_to`, '18:00'],
    ]),
  ),
});

/** The public holidays of this year and the next, as the editor lists them under a calendar. */
function holidayDatesOf(holidays: { country: string; region?: string } | null, locale: Locale) {
  if (!holidays) return [];
  const year = new Date().getFullYear();
  const label = new Intl.DateTimeFormat(locale === 'de' ? 'de-DE' : 'en-GB', {
    weekday: 'short',
    day: '2-digit',
    month: '2-digit',
    year: 'numeric',
    timeZone: 'UTC',
  });
  return [year, year + 1].map((y) => ({
    year: y,
    days: publicHolidays(holidays, y, locale).map((h) => ({ ...h, label: label.format(new Date(`${h.date}T12:00:00Z`)) })),
  }));
}

export function slaWebRoutes({ db, dispatcher }: Services): Router {
  const router = Router();
  router.param('id', uuidParam('Setting'));
  router.param('messageId', uuidParam('Message'));
  const manage = requirePermission('settings.manage');
  const tx = <T>(fn: Parameters<typeof inTransaction<T>>[2]) => inTransaction(db, dispatcher, fn);

  async function page(req: Request, res: Response) {
    const [calendars, policies, channels, topics] = await Promise.all([listCalendars(db), listPolicies(db), listChannelsWithSla(db), listTopicsWithSla(db)]);
    const locale = res.locals.locale;
    res.render('settings-sla', {
      calendars: calendars
        .filter((c) => !c.retiredAt)
        .map((c) => {
          const shown = presentCalendarRow(c);
          return { ...shown, draft: calendarDraftOf(shown), holidayDates: holidayDatesOf(shown.holidays, locale) };
        }),
      policies: policies.filter((p) => !p.retiredAt).map(presentPolicyRow),
      retired: [
        ...calendars.filter((c) => c.retiredAt).map((c) => ({ kind: 'calendar', name: c.name, retiredAt: c.retiredAt! })),
        ...policies.filter((p) => p.retiredAt).map((p) => ({ kind: 'policy', name: p.name, retiredAt: p.retiredAt! })),
      ],
      channels,
      topics,
      holidayRegions: holidayRegions(locale),
      newCalendarDraft: NEW_CALENDAR,
      calendarDraftFromForm,
      saved: req.query.saved === '1',
      weekdays: WEEKDAY_KEYS,
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
  router.post('/settings/sla/calendars/:id/retire', ...form((req) => `retire-calendar-${pathId(req)}`), async (req, res) => {
    await tx((t) => retireCalendar(t, pathId(req), actor(req)));
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
  router.post('/settings/sla/policies/:id/retire', ...form((req) => `retire-policy-${pathId(req)}`), async (req, res) => {
    await tx((t) => retirePolicy(t, pathId(req), actor(req)));
    saved(req, res);
  });
  router.post(
    '/settings/sla/channels/:id',
    ...form((req) => `channel-${pathId(req)}`),
    validate(channelSlaBody, (req) => channelSlaFromForm(req.body ?? {})),
    async (req, res) => {
      await tx((t) => changeChannelSla(t, pathId(req), res.locals.input, actor(req)));
      saved(req, res);
    },
  );
  router.post(
    '/settings/sla/topics/:id',
    ...form((req) => `topic-${pathId(req)}`),
    validate(topicSlaBody, (req) => ({ slaPolicyId: typeof req.body?.slaPolicyId === 'string' && req.body.slaPolicyId ? req.body.slaPolicyId : null })),
    async (req, res) => {
      await tx((t) => changeTopicSla(t, pathId(req), res.locals.input, actor(req)));
      saved(req, res);
    },
  );

  router.post('/conversations/:id/messages/:messageId/breach-reason', manage, validate(breachReasonBody), async (req, res) => {
    const { conversationId } = await tx((t) => recordBreachReason(t, pathId(req, 'messageId'), res.locals.input.reason, actor(req)));
    res.redirect(303, `/conversations/${conversationId}`);
  });

  return router;
}
