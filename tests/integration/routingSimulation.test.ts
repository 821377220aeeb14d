/**
 * The routing simulation: 20 agents with mixed skills and slots, 5 000 arrivals in bursts from 8 concurrent
 * ingest workers on three channels (social, chat, e-mail), two routers and agents pulling work at the same
 * time, agents closing conversations, presence changes, and one absence starting mid-run. At the end the
 * invariants are checked from the database alone (the audit log and the conversations).
 */
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import type { NormalizedInbound } from '../../connectors/types';
import { insertChannel } from '../../server/db/repositories/channels.repo';
import { systemActor, userActor } from '../../server/domain/audit/actor';
import { createAbsence, startAbsences } from '../../server/domain/availability/absences';
import { changeAvailability } from '../../server/domain/availability/setAvailability';
import { changeStatus } from '../../server/domain/conversations/changeStatus';
import { ingestBatch } from '../../server/domain/conversations/ingestBatch';
import { inTransaction, type Dispatcher } from '../../server/domain/effects';
import { isEligible, type RoutingAgent } from '../../server/domain/routing/chooseAgent';
import { routingAgentsOf } from '../../server/domain/routing/agents';
import { requirementOf, routeWaiting } from '../../server/domain/routing/routeWaiting';
import { setAgentRouting, setChannelRouting } from '../../server/domain/routing/routingSettings';
import { takeNext } from '../../server/domain/routing/takeNext';
import { boardAgents, lockQueueHead } from '../../server/db/repositories/routing.repo';
import { addTeamMember, insertTeam } from '../../server/db/repositories/teams.repo';
import { makeUser } from '../factories/factories';
import { startTestApp, type TestApp } from '../support/testApp';

jest.setTimeout(300_000);

const AGENTS = 20;
const ARRIVALS = 5_000;
const BURST = 25;
const INGEST_WORKERS = 8;

let app: TestApp;
// jobs and live events are dropped: this test drives routing itself, as the routing worker would
const quiet: Dispatcher = { publish: async () => undefined, enqueue: async () => undefined, onDispatchError: () => undefined };
const tx = <T>(fn: Parameters<typeof inTransaction<T>>[2]) => inTransaction(app.services.db, quiet, fn);

beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app.stop());

/** Transactions that lost a deadlock or serialization race are retried, as a job would be. */
async function retrying<T>(fn: () => Promise<T>): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await fn();
    } catch (err) {
      const code = (err as { code?: string }).code;
      if (attempt < 5 && (code === '40P01' || code === '40001')) continue;
      throw err;
    }
  }
}

test('when 5 000 posts arrive in bursts while agents come and go, then nobody is above capacity, away/offline/absent agents get nothing and no free slot is left idle', async () => {
  const db = app.services.db;
  const manager = await makeUser(db, { role: 'manager', name: 'Sim Manager' });
  const by = { actor: userActor(manager), role: 'manager' as const };
  const channels = [
    (
      await db
        .transaction()
        .execute((t) => insertChannel(t, { kind: 'api', name: 'Sim social', ingestTokenHash: null, webhookUrl: null, credentialsEnc: null }))
    ).id,
    (
      await db
        .transaction()
        .execute((t) => insertChannel(t, { kind: 'webchat', name: 'Sim chat', ingestTokenHash: null, webhookUrl: null, credentialsEnc: null }))
    ).id,
    (
      await db
        .transaction()
        .execute((t) => insertChannel(t, { kind: 'email', name: 'Sim mail', ingestTokenHash: null, webhookUrl: null, credentialsEnc: null }))
    ).id,
  ];
  for (const channelId of channels) await tx((t, e) => setChannelRouting(t, e, { channelId, routing: { mode: 'auto' } }, by));

  const languageSets = [['de'], ['de'], ['de', 'en'], ['en'], ['de', 'tr'], []];
  const agents: { id: string; email: string }[] = [];
  for (let i = 0; i < AGENTS; i++) {
    const a = await makeUser(db, { role: 'agent', name: `Sim ${i}` });
    agents.push({ id: a.id, email: a.email });
    await tx((t, e) =>
      setAgentRouting(
        t,
        e,
        {
          userId: a.id,
          skills: { languages: languageSets[i % languageSets.length]!, topics: [], channels: [], regions: [] },
          capacity: { chat: 1 + (i % 4), social: 2 + (i % 5), email: 3 + (i % 3) },
        },
        by,
      ),
    );
    await tx((t, e) => changeAvailability(t, e, { userId: a.id, status: 'online' }, { actor: userActor(a), user: null }));
  }
  const absentee = agents[2]!.id;
  const team = await insertTeam(db, 'Sim team');
  for (const u of [manager, ...agents]) await addTeamMember(db, team.id, u.id);

  let arrived = 0;
  let done = false;
  const counts = { bursts: 0, passes: 0, routedByPasses: 0, pulls: 0, closed: 0, presenceChanges: 0, handedBack: 0 };
  const languages = ['de', 'de', 'de', 'en', 'en', 'tr'];
  const ingestWorker = async (w: number) => {
    while (arrived < ARRIVALS) {
      const n = Math.min(BURST, ARRIVALS - arrived);
      arrived += n;
      const posts: NormalizedInbound[] = Array.from({ length: n }, (_, i) => ({
        channelId: channels[(w + i) % channels.length]!,
        externalId: `sim-${randomUUID()}`,
        author: { externalId: `cust-${w}-${Math.floor(Math.random() * 2000)}`, name: 'Kundin' },
        text: 'Hallo',
        postedAt: new Date(),
        language: languages[(w * 7 + i) % languages.length],
      }));
      await retrying(() => tx((t, e) => ingestBatch(t, e, posts, systemActor('sim-ingest'))));
      counts.bursts++;
      if (arrived >= ARRIVALS / 2 && !absenceStarted) await startAbsence();
      await new Promise((r) => setTimeout(r, Math.random() * 20)); // bursts, not a steady stream
    }
  };
  let absenceStarted = false;
  const startAbsence = async () => {
    absenceStarted = true;
    await tx((t, e) =>
      createAbsence(
        t,
        e,
        { userId: absentee, from: new Date(Date.now() - 1000).toISOString(), to: new Date(Date.now() + 86_400_000).toISOString(), reason: 'sick' },
        { actor: userActor(manager), user: manager },
      ),
    );
    counts.handedBack = await retrying(() => tx((t, e) => startAbsences(t, e)));
  };
  const router = async () => {
    while (!done) {
      const r = await retrying(() => tx((t, e) => routeWaiting(t, e, {})));
      counts.passes++;
      counts.routedByPasses += r.routed;
      await new Promise((r) => setTimeout(r, 10));
    }
  };
  const puller = async () => {
    while (!done) {
      const a = agents[Math.floor(Math.random() * agents.length)]!;
      const taken = await retrying(() => tx((t, e) => takeNext(t, e, { actor: userActor(a), userId: a.id }))).catch(() => null); // 409 when not online
      if (taken) counts.pulls++;
      await new Promise((r) => setTimeout(r, 15));
    }
  };
  const closer = async () => {
    while (!done) {
      const held = await db.selectFrom('conversations').select('id').where('status', '=', 'assigned').orderBy(sql`random()`).limit(15).execute();
      for (const c of held) {
        await retrying(() => tx((t, e) => changeStatus(t, e, { conversationId: c.id, status: 'closed' }, { actor: systemActor('sim-agent'), role: 'agent' })))
          .then(() => counts.closed++)
          .catch(() => undefined); // already closed by a parallel loop
      }
      await new Promise((r) => setTimeout(r, 20));
    }
  };
  const presence = async () => {
    const states = [{ status: 'online' }, { status: 'away', reason: 'break' }, { status: 'offline' }, { status: 'online' }] as const;
    while (!done) {
      const a = agents[Math.floor(Math.random() * agents.length)]!;
      const next = states[Math.floor(Math.random() * states.length)]!;
      await retrying(() => tx((t, e) => changeAvailability(t, e, { userId: a.id, ...next }, { actor: systemActor('sim-presence'), user: null })));
      counts.presenceChanges++;
      await new Promise((r) => setTimeout(r, 25));
    }
  };

  const started = Date.now();
  const background = [router(), router(), puller(), closer(), closer(), presence()];
  try {
    await Promise.all(Array.from({ length: INGEST_WORKERS }, (_, w) => ingestWorker(w)));
  } finally {
    done = true;
    await Promise.allSettled(background);
  }
  await Promise.all(background);
  await tx((t, e) => routeWaiting(t, e, {})); // the pass that follows the last change
  const seconds = (Date.now() - started) / 1000;

  // ---- invariants, from the database
  const messages = await sql<{ n: number }>`SELECT count(*)::int AS n FROM messages WHERE external_id LIKE 'sim-%'`.execute(db);
  expect(messages.rows[0]!.n).toBe(ARRIVALS);

  const final: RoutingAgent[] = await db.transaction().execute(async (t) => routingAgentsOf(t, await boardAgents(t)));
  // 1. nobody above capacity in any class
  for (const a of final) for (const cls of ['chat', 'messaging', 'social', 'email'] as const) expect(a.load[cls]).toBeLessThanOrEqual(a.capacity[cls]);

  // 2. every router decision went to an agent who was online at that moment (their last presence event before it)
  const bad = await sql<{ n: number }>`
    SELECT count(*)::int AS n FROM audit_events r
    WHERE r.action = 'conversation.routed' AND r.actor_label = 'router' AND r.after->>'assigneeId' IS NOT NULL
      AND coalesce((SELECT p.after->>'status' FROM audit_events p WHERE p.action = 'agent.availability_changed'
        AND p.subject_id = r.after->>'assigneeId' AND p.seq < r.seq ORDER BY p.seq DESC LIMIT 1), 'offline') <> 'online'`.execute(db);
  expect(bad.rows[0]!.n).toBe(0);
  // 3. nothing routed to the absent agent after the absence started, and they hold nothing assigned
  const startedAt = await db.selectFrom('auditEvents').select('seq').where('action', '=', 'absence.started').executeTakeFirstOrThrow();
  const toAbsent = await sql<{
    n: number;
  }>`SELECT count(*)::int AS n FROM audit_events WHERE action = 'conversation.routed' AND seq > ${startedAt.seq} AND after->>'assigneeId' = ${absentee}`.execute(
    db,
  );
  expect(toAbsent.rows[0]!.n).toBe(0);
  expect(final.find((a) => a.id === absentee)!.load).toEqual({ chat: 0, messaging: 0, social: 0, email: 0 });
  // 4. no double booking: the router and pulls only ever took unassigned conversations, each decision once
  const taken = await sql<{ n: number }>`SELECT count(*)::int AS n FROM audit_events WHERE action = 'conversation.routed'
    AND after->'reason'->>'rule' IN ('least_loaded', 'pull') AND before->>'assigneeId' IS NOT NULL`.execute(db);
  expect(taken.rows[0]!.n).toBe(0);
  // 5. no free slot left idle: no waiting conversation has an eligible agent with a free slot
  const waiting = await db.transaction().execute((t) => lockQueueHead(t, 'auto', null, 10_000, new Date()));
  const idle = waiting.filter((c) => final.some((a) => isEligible(a, requirementOf(c))));
  expect(idle).toEqual([]);

  const routed = await sql<{ n: number }>`SELECT count(*)::int AS n FROM audit_events WHERE action = 'conversation.routed'`.execute(db);
  const conversations = await sql<{ n: number }>`SELECT count(*)::int AS n FROM conversations WHERE channel_id = ANY(${channels}::uuid[])`.execute(db);
  process.stdout.write(
    `routing simulation: ${ARRIVALS} arrivals in ${counts.bursts} bursts → ${conversations.rows[0]!.n} conversations; ${routed.rows[0]!.n} routing decisions ` +
      `(${counts.routedByPasses} by ${counts.passes} passes, ${counts.pulls} pulls); ${counts.closed} closed; ${counts.presenceChanges} presence changes; ` +
      `${counts.handedBack} handed back at the absence; ${waiting.length} waiting at the end; ${seconds.toFixed(1)} s\n`,
  );
});
