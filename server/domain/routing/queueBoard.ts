/**
 * The queue board: per queue (a channel, served by its routing team or by everyone) the waiting count, the
 * oldest wait, the breaches predicted for the next hour, agents online/away/offline, used and free slots, and
 * the expected wait of the next arrival. A callback counts as waiting from when the router may take it (its window's
 * opening less the lead, callbacks/callbackOpening.ts); before that it is scheduled work, in no figure here.
 *
 * Model (measured throughput): the queue drains at the rate it drained over the last hour (conversations
 * routed or taken per minute). The k-th waiting conversation in due order is expected to be taken after k/rate
 * minutes, so it is a predicted breach when that is later than its due time (within the next hour). The next
 * arrival waits 0 while an eligible online agent has a free slot and nobody waits; else (waiting + 1)/rate
 * minutes; unknown (null) when nothing was taken in the last hour.
 */
import type { Db } from '../../db/client';
import { boardAgents, queueBoardRows } from '../../db/repositories/routing.repo';
import { callbacksOpenBy } from '../callbacks/callbackOpening';
import type { RoutingAgent } from './chooseAgent';
import { routingAgentsOf } from './agents';
import { slotClassOf } from './slots';

const HOUR = 3_600_000;

export type QueueFigures = {
  channelId: string;
  name: string;
  mode: 'manual' | 'auto' | 'pull';
  team: { id: string; name: string } | null;
  waiting: number;
  oldestWaitSeconds: number | null;
  predictedBreachesNextHour: number;
  agents: { online: number; away: number; offline: number };
  capacity: { used: number; free: number };
  throughputPerHour: number;
  expectedWaitSeconds: number | null;
};

export function predictBreaches(dues: Date[], ratePerMinute: number, now: Date): number {
  let breaches = 0;
  dues.forEach((due, k) => {
    if (due.getTime() <= now.getTime() || due.getTime() > now.getTime() + HOUR) return;
    const takenAt = ratePerMinute > 0 ? now.getTime() + (k / ratePerMinute) * 60_000 : Number.POSITIVE_INFINITY;
    if (takenAt > due.getTime()) breaches++;
  });
  return breaches;
}

export function expectedWait(waiting: number, freeSlots: number, ratePerMinute: number): number | null {
  if (waiting === 0 && freeSlots > 0) return 0;
  if (ratePerMinute <= 0) return null;
  return Math.round(((waiting + 1) / ratePerMinute) * 60);
}

export async function queueBoard(db: Db, now = new Date()): Promise<QueueFigures[]> {
  const { channels, dues } = await queueBoardRows(db, now, new Date(now.getTime() + HOUR), callbacksOpenBy(now));
  const agents: RoutingAgent[] = await db.transaction().execute(async (tx) => routingAgentsOf(tx, await boardAgents(tx)));
  const duesOf = new Map<string, Date[]>();
  for (const d of dues) duesOf.set(d.channelId, [...(duesOf.get(d.channelId) ?? []), d.dueAt]);
  return channels.map((ch) => {
    const slotClass = slotClassOf(ch.kind, null);
    const serving = agents.filter((a) => !ch.teamId || a.teamIds.includes(ch.teamId));
    const ready = serving.filter((a) => a.availability === 'online' && !a.absent);
    const used = ready.reduce((n, a) => n + a.load[slotClass], 0);
    const free = ready.reduce((n, a) => n + Math.max(0, a.capacity[slotClass] - a.load[slotClass]), 0);
    const rate = ch.routedLastHour / 60;
    return {
      channelId: ch.id,
      name: ch.name,
      mode: ch.routingMode,
      team: ch.teamId ? { id: ch.teamId, name: ch.teamName ?? '' } : null,
      waiting: ch.waiting,
      oldestWaitSeconds: ch.oldestSince ? Math.max(0, Math.round((now.getTime() - ch.oldestSince.getTime()) / 1000)) : null,
      predictedBreachesNextHour: predictBreaches(duesOf.get(ch.id) ?? [], rate, now),
      agents: {
        online: serving.filter((a) => a.availability === 'online' && !a.absent).length,
        away: serving.filter((a) => a.availability === 'away' && !a.absent).length,
        offline: serving.filter((a) => a.availability === 'offline' || a.absent).length,
      },
      capacity: { used, free },
      throughputPerHour: ch.routedLastHour,
      expectedWaitSeconds: expectedWait(ch.waiting, free, rate),
    };
  });
}
