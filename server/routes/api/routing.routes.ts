/**
 * Routing for integrations (user API token): presence, absences, an agent's skills and slots, a channel's
 * routing mode, "take next" and the queue figures. Each body is parsed with its command's own schema.
 */
import { Router } from 'express';
import { z } from 'zod';
import { listAbsences } from '../../db/repositories/absences.repo';
import { findConversationDetail } from '../../db/repositories/conversations.repo';
import { listMessages } from '../../db/repositories/messages.repo';
import { listTasksOf } from '../../db/repositories/tasks.repo';
import { absenceInput, createAbsence, removeAbsence } from '../../domain/availability/absences';
import { availabilityInput, changeAvailability } from '../../domain/availability/setAvailability';
import { inTransaction } from '../../domain/effects';
import { parseInput } from '../../domain/parseInput';
import { queueBoard } from '../../domain/routing/queueBoard';
import { agentRoutingInput, channelRoutingInput, setAgentRouting, setChannelRouting, setsRouting } from '../../domain/routing/routingSettings';
import { setTeamDefaultCapacity, teamCapacityInput } from '../../domain/routing/teamCapacity';
import { takeNext } from '../../domain/routing/takeNext';
import { translator } from '../../i18n/translate';
import { requirePermission, requireRole } from '../../middleware/auth';
import { bodyWithId, pathId, uuidParam, validate } from '../../middleware/validate';
import { presentConversation } from '../../presenters/conversation.presenter';
import type { Services } from '../../services';
import { actingUser } from '../actor';

const absenceQuery = z.object({ userId: z.uuid().optional() }).strict();

export function routingApiRoutes({ db, dispatcher }: Services): Router {
  const router = Router();
  router.param('id', uuidParam('Resource'));

  // Each role check comes before the body is read: a role that may never do it gets 403, not a 400 about its body.
  const work = requirePermission('conversation.work');
  const manage = requirePermission('settings.manage');

  router.put('/users/:id/presence', work, validate(availabilityInput, bodyWithId('userId')), async (req, res) => {
    const { actor, user } = actingUser(req);
    res.json(await inTransaction(db, dispatcher, (tx, effects) => changeAvailability(tx, effects, res.locals.input, { actor, user })));
  });

  router.patch('/users/:id', requireRole(setsRouting), validate(agentRoutingInput, bodyWithId('userId')), async (req, res) => {
    res.json(await inTransaction(db, dispatcher, (tx, effects) => setAgentRouting(tx, effects, res.locals.input, actingUser(req))));
  });

  router.patch('/teams/:id', manage, validate(teamCapacityInput, bodyWithId('teamId')), async (req, res) => {
    res.json(await inTransaction(db, dispatcher, (tx, effects) => setTeamDefaultCapacity(tx, effects, res.locals.input, actingUser(req))));
  });

  // only a body with `routing`; the channel's calendar and SLA policy are set by the SLA routes' PATCH
  router.patch(
    '/channels/:id',
    (req, _res, next) => next(req.body && typeof req.body === 'object' && 'routing' in req.body ? undefined : 'route'),
    requireRole(setsRouting),
    validate(channelRoutingInput, bodyWithId('channelId')),
    async (req, res) => {
      res.json(await inTransaction(db, dispatcher, (tx, effects) => setChannelRouting(tx, effects, res.locals.input, actingUser(req))));
    },
  );

  router.post('/absences', manage, validate(absenceInput), async (req, res) => {
    const { actor, user } = actingUser(req);
    const row = await inTransaction(db, dispatcher, (tx, effects) => createAbsence(tx, effects, res.locals.input, { actor, user }));
    res.status(201).json(presentAbsence(row));
  });

  router.get('/absences', requirePermission('conversation.read'), async (req, res) => {
    const q = parseInput(absenceQuery, req.query, 'query');
    res.json({ absences: (await listAbsences(db, { userId: q.userId, from: new Date() })).map(presentAbsence) });
  });

  router.delete('/absences/:id', manage, async (req, res) => {
    const { actor, user } = actingUser(req);
    await inTransaction(db, dispatcher, (tx) => removeAbsence(tx, pathId(req), { actor, user }));
    res.status(204).end();
  });

  router.post('/conversations/next', work, async (req, res) => {
    const { actor, user } = actingUser(req);
    const taken = await inTransaction(db, dispatcher, (tx, effects) => takeNext(tx, effects, { actor, userId: user.id }));
    if (!taken) return void res.status(204).end();
    const conversation = (await findConversationDetail(db, taken.conversationId))!;
    res.json(
      presentConversation(
        conversation,
        await listMessages(db, conversation.id),
        { t: translator(user.locale), locale: user.locale },
        await listTasksOf(db, conversation.id),
      ),
    );
  });

  router.get('/queues', requirePermission('reports.read'), async (_req, res) => {
    res.json({ queues: await queueBoard(db) });
  });

  return router;
}

function presentAbsence(a: { id: string; userId: string; startsAt: Date; endsAt: Date; reason: string; deputyId: string | null; handedBackAt: Date | null }) {
  return {
    id: a.id,
    userId: a.userId,
    from: a.startsAt.toISOString(),
    to: a.endsAt.toISOString(),
    reason: a.reason,
    deputyId: a.deputyId,
    handedBackAt: a.handedBackAt?.toISOString() ?? null,
  };
}
