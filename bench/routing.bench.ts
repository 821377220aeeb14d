/**
 * Routing: the time of one routing decision (a routing pass that assigns the arrival) while 32 arrivals come in
 * at once, each followed by its pass — the way ingest triggers the router — and the agents needed for it.
 * Between rounds the routed conversations are closed, so the agents have free slots again.
 */
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { systemActor } from '../server/domain/audit/actor';
import { changeAvailability } from '../server/domain/availability/setAvailability';
import { createApiChannel } from '../server/domain/channels/api/createApiChannel';
import { ingestInbound } from '../server/domain/conversations/ingestInbound';
import { inTransaction } from '../server/domain/effects';
import { routeWaiting } from '../server/domain/routing/routeWaiting';
import { createUser } from '../server/domain/users/createUser';
import type { Services } from '../server/services';

const actor = systemActor('bench');
const LANGUAGES = ['de', 'en'];

type Spread = { p50: number; p95: number; max: number };
export type RoutingFigures = { arrivals: number; concurrency: number; passes: number; pass: Spread; arrivalToAssigned: Spread };

const spread = (values: number[]): Spread => {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (p: number) => sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)] ?? 0;
  return { p50: at(0.5), p95: at(0.95), max: sorted[sorted.length - 1] ?? 0 };
};

/** `count` agents, online, half German and half English speakers, with the default slots. */
export async function prepareAgents(services: Services, count: number): Promise<void> {
  const { db, dispatcher } = services;
  for (let i = 0; i < count; i++) {
    const user = await db.transaction().execute((tx) =>
      createUser(
        tx,
        {
          email: `bench-agent-${i}-${randomUUID().slice(0, 6)}@bench.test`,
          name: `Bench Agent ${i}`,
          role: 'agent',
          password: 'bench-password-2026',
          locale: 'de',
        },
        actor,
      ),
    );
    await inTransaction(db, dispatcher, (tx, effects) => changeAvailability(tx, effects, { userId: user.id, status: 'online' }, { actor, user: null }));
    await db
      .updateTable('agentProfiles')
      .set({ skills: JSON.stringify({ languages: [LANGUAGES[i % 2]] }) })
      .where('userId', '=', user.id)
      .execute();
  }
}

/** An API channel whose queue the router serves. */
export async function autoRoutedChannel(services: Services, name: string): Promise<{ channelId: string }> {
  const { db, secretBox } = services;
  const channel = await db.transaction().execute((tx) => createApiChannel(tx, secretBox, { name }, actor));
  await db.updateTable('channels').set({ routingMode: 'auto' }).where('id', '=', channel.channelId).execute();
  return channel;
}

/**
 * Rounds of `concurrency` arrivals at once (each its own ingest transaction) while one router runs passes back to
 * back, as the routing worker does. Figures: the time of one pass (the decision, under the router lock) and the
 * time from an arrival's commit until it is assigned.
 */
export async function benchRouting(services: Services, opts: { rounds: number; concurrency: number }): Promise<RoutingFigures> {
  const { db, dispatcher } = services;
  const { channelId } = await autoRoutedChannel(services, `Bench routing ${Date.now()}`);
  const passTimes: number[] = [];
  const committed = new Map<string, number>();
  let running = true;
  const router = (async () => {
    while (running) {
      const started = performance.now();
      await inTransaction(db, dispatcher, (tx, effects) => routeWaiting(tx, effects, { channelIds: [channelId] }));
      passTimes.push(performance.now() - started);
    }
  })();
  for (let round = 0; round < opts.rounds; round++) {
    await Promise.all(
      Array.from({ length: opts.concurrency }, async (_, i) => {
        const r = await inTransaction(db, dispatcher, (tx, effects) =>
          ingestInbound(
            tx,
            effects,
            {
              channelId,
              externalId: `route-${randomUUID()}`,
              author: { externalId: `route-author-${randomUUID()}`, name: 'Kundin' },
              text: 'Wo bleibt meine Bestellung?',
              postedAt: new Date(),
              language: LANGUAGES[i % 2],
            },
            actor,
          ),
        );
        committed.set(r.conversationId, Date.now());
      }),
    );
    // every arrival of the round assigned (20 agents × 10 social slots take a round of 32), then their slots freed
    for (let waited = 0; waited < 5_000; waited += 5) {
      const open = await db
        .selectFrom('conversations')
        .select(db.fn.countAll<string>().as('n'))
        .where('channelId', '=', channelId)
        .where('status', '=', 'new')
        .executeTakeFirstOrThrow();
      if (Number(open.n) === 0) break;
      await new Promise((r) => setTimeout(r, 5));
    }
    await sql`UPDATE conversations SET status = 'closed' WHERE channel_id = ${channelId} AND status = 'assigned'`.execute(db);
  }
  running = false;
  await router;
  const routed = await db.selectFrom('conversations').select(['id', 'routedAt']).where('channelId', '=', channelId).where('routedAt', 'is not', null).execute();
  const latencies = routed.map((c) => c.routedAt!.getTime() - committed.get(c.id)!).map((ms) => Math.max(0, ms));
  return { arrivals: committed.size, concurrency: opts.concurrency, passes: passTimes.length, pass: spread(passTimes), arrivalToAssigned: spread(latencies) };
}
