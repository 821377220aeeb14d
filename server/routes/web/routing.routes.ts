/**
 * Routing in the console: the agent's presence switch in the header (one choice: online, away with a reason,
 * offline), "Nächsten nehmen", the managers' routing settings (skills and slots per agent, mode per channel)
 * and the live queue board.
 */
import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import { availabilityOf, listAgentProfiles } from '../../db/repositories/agentProfiles.repo';
import { listChannelRouting } from '../../db/repositories/routing.repo';
import { listTeamCapacities } from '../../db/repositories/teams.repo';
import { AWAY_REASONS, changeAvailability } from '../../domain/availability/setAvailability';
import { inTransaction } from '../../domain/effects';
import { effectiveCapacities, skillsOf, storedCapacity } from '../../domain/routing/agents';
import { queueBoard } from '../../domain/routing/queueBoard';
import { agentRoutingInput, channelRoutingInput, setAgentRouting, setChannelRouting } from '../../domain/routing/routingSettings';
import { DEFAULT_CAPACITY, SLOT_CLASSES } from '../../domain/routing/slots';
import { setTeamDefaultCapacity, teamCapacityInput } from '../../domain/routing/teamCapacity';
import { takeNext } from '../../domain/routing/takeNext';
import { requirePermission } from '../../middleware/auth';
import { rerenderForm } from '../../middleware/errors';
import { isHtmx } from '../../middleware/htmx';
import { pathId, uuidParam, validate } from '../../middleware/validate';
import type { Services } from '../../services';
import { actingUser } from '../actor';
import { renderPageOrFragment } from './render';

/** The header's one choice: "online", "away:<reason>" or "offline". */
const presenceForm = z.object({ presence: z.enum(['online', 'offline', ...AWAY_REASONS.map((r) => `away:${r}` as const)]) });

/** A comma-separated form field as a list. */
const list = (v: unknown) =>
  String(v ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
/** Slots per class from a form: a number sets the class, an empty field clears it (the default applies). */
const slotsOf = (body: Record<string, unknown>) =>
  Object.fromEntries(SLOT_CLASSES.filter((c) => body[c] !== undefined).map((c) => [c, body[c] === '' ? null : Number(body[c])]));
const agentForm = (req: Request) => ({
  userId: req.params.userId,
  skills: { languages: list(req.body.languages), topics: list(req.body.topics), channels: list(req.body.channels), regions: list(req.body.regions) },
  capacity: slotsOf(req.body),
});
const teamForm = (req: Request) => ({ teamId: req.params.teamId, capacity: slotsOf(req.body) });
const channelForm = (req: Request) => ({ channelId: req.params.channelId, routing: { mode: req.body.mode, teamId: req.body.teamId || null } });

export function routingRoutes({ db, dispatcher }: Services): Router {
  const router = Router();
  router.param('userId', uuidParam('User'));
  router.param('channelId', uuidParam('Channel'));
  router.param('teamId', uuidParam('Team'));
  const work = requirePermission('conversation.work');
  const manage = requirePermission('settings.manage');

  const presence = async (req: Request, res: Response) => res.render('partials/availability/switch', { availability: await availabilityOf(db, req.user!.id) });
  router.get('/availability', work, presence);
  router.post('/availability', work, validate(presenceForm), async (req, res) => {
    const [status, reason] = res.locals.input.presence.split(':') as ['online' | 'away' | 'offline', (typeof AWAY_REASONS)[number] | undefined];
    const { actor, user } = actingUser(req);
    await inTransaction(db, dispatcher, (tx, effects) => changeAvailability(tx, effects, { userId: user.id, status, reason }, { actor, user }));
    if (isHtmx(req)) return presence(req, res);
    res.redirect(303, '/inbox');
  });

  router.post('/conversations/next', work, async (req, res) => {
    const { actor, user } = actingUser(req);
    const taken = await inTransaction(db, dispatcher, (tx, effects) => takeNext(tx, effects, { actor, userId: user.id }));
    if (taken) {
      const to = `/conversations/${taken.conversationId}`;
      if (isHtmx(req)) return void res.set('HX-Redirect', to).status(204).end();
      return res.redirect(303, to);
    }
    res.render('partials/routing/take-next', { nothing: true });
  });

  const settingsPage = async (_req: Request, res: Response) => {
    const [agents, channels, teams] = await Promise.all([listAgentProfiles(db), listChannelRouting(db), listTeamCapacities(db)]);
    const effective = await effectiveCapacities(db, agents);
    res.render('settings-routing', {
      agents: agents.map((a) => ({ ...a, skills: skillsOf(a.skills), capacity: storedCapacity(a.capacity), effective: effective.get(a.id)! })),
      channels,
      teams: teams.map((team) => ({ ...team, capacity: storedCapacity(team.defaultCapacity) })),
      slotClasses: SLOT_CLASSES,
      globalSlots: DEFAULT_CAPACITY,
    });
  };
  router.get('/settings/routing', manage, settingsPage);
  router.post(
    '/settings/routing/agents/:userId',
    manage,
    rerenderForm((req) => `agent-${pathId(req, 'userId')}`, settingsPage),
    validate(agentRoutingInput, agentForm),
    async (req, res) => {
      await inTransaction(db, dispatcher, (tx, effects) => setAgentRouting(tx, effects, res.locals.input, actingUser(req)));
      res.redirect(303, `/settings/routing#agent-${pathId(req, 'userId')}`);
    },
  );
  router.post(
    '/settings/routing/channels/:channelId',
    manage,
    rerenderForm((req) => `channel-${pathId(req, 'channelId')}`, settingsPage),
    validate(channelRoutingInput, channelForm),
    async (req, res) => {
      await inTransaction(db, dispatcher, (tx, effects) => setChannelRouting(tx, effects, res.locals.input, actingUser(req)));
      res.redirect(303, `/settings/routing#channel-${pathId(req, 'channelId')}`);
    },
  );

  router.post(
    '/settings/routing/teams/:teamId',
    manage,
    rerenderForm((req) => `team-${pathId(req, 'teamId')}`, settingsPage),
    validate(teamCapacityInput, teamForm),
    async (req, res) => {
      await inTransaction(db, dispatcher, (tx, effects) => setTeamDefaultCapacity(tx, effects, res.locals.input, actingUser(req)));
      res.redirect(303, `/settings/routing#team-${pathId(req, 'teamId')}`);
    },
  );

  router.get('/queues', requirePermission('reports.read'), async (req, res) => {
    renderPageOrFragment(req, res, 'queues', 'partials/routing/queue-board', { queues: await queueBoard(db) });
  });

  return router;
}
