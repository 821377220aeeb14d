/**
 * Multi-step cases through the real entry points: tasks added, completed in dependency order and listed per
 * person over the API; a conversation with open tasks refuses every close path with a 409 naming them (in the
 * user's language in the console) unless a manager gives a reason; the overdue notice reaches the team and its
 * managers once; the conversation JSON carries the customer-facing progress.
 */
import request from 'supertest';
import type TestAgent from 'supertest/lib/agent';
import { processTaskOverdue, taskTimersOwed } from '../../jobs/taskTimers';
import { addBusinessMinutes, compileCalendar } from '../../server/domain/sla/businessTime';
import { parseCalendarDefinition } from '../../server/domain/sla/calendar';
import { inboundPost, makeApiChannel, makeUser } from '../factories/factories';
import { csrfFrom } from '../support/csrf';
import { startTestApp, type TestApp } from '../support/testApp';
import { until } from '../support/until';
import { startWorkers } from '../../server/workers';

let app: TestApp;
let channel: Awaited<ReturnType<typeof makeApiChannel>>;
type Made = Awaited<ReturnType<typeof makeUser>>;
let agent: Made; // Lena, customer care, German
let accountant: Made; // Buchhaltung
let accountingLead: Made; // manager of Buchhaltung
let manager: Made;
let auditor: Made;
let accounting: { id: string };

const WEEKDAYS_9_TO_17 = {
  name: 'Bürozeiten',
  timeZone: 'Europe/Berlin',
  weekly: { mon: [['09:00', '17:00']], tue: [['09:00', '17:00']], wed: [['09:00', '17:00']], thu: [['09:00', '17:00']], fri: [['09:00', '17:00']] },
};

beforeAll(async () => {
  app = await startTestApp();
  const db = app.services.db;
  [agent, accountant, accountingLead, manager, auditor] = await Promise.all([
    makeUser(db, { role: 'agent', name: 'Lena Vogt', locale: 'de' }),
    makeUser(db, { role: 'agent', name: 'Bernd Buchhalter', locale: 'de' }),
    makeUser(db, { role: 'manager', name: 'Petra Prokurist', locale: 'de' }),
    makeUser(db, { role: 'manager', name: 'Jonas Berger', locale: 'de' }),
    makeUser(db, { role: 'auditor' }),
  ]);
  // a back-office team: no channel routes to it, it never answers customers
  accounting = await db.insertInto('teams').values({ name: 'Buchhaltung' }).returning('id').executeTakeFirstOrThrow();
  await db
    .insertInto('teamMembers')
    .values([
      { teamId: accounting.id, userId: accountant.id },
      { teamId: accounting.id, userId: accountingLead.id },
    ])
    .execute();
  channel = await makeApiChannel(db, app.services.secretBox);
  const calendar = await api(manager).post('/calendars').send(WEEKDAYS_9_TO_17).expect(201);
  const policy = await api(manager)
    .post('/sla-policies')
    .send({ name: 'Büro', calendarId: calendar.body.id, firstResponseMinutes: 480, nextResponseMinutes: 480 })
    .expect(201);
  await api(manager).patch(`/channels/${channel.channelId}`).send({ slaPolicyId: policy.body.id }).expect(200);
});
afterAll(async () => {
  await app.stop();
});

function api(user: Made) {
  const auth = (r: request.Test) => r.auth(user.token, { type: 'bearer' });
  return {
    get: (path: string) => auth(request(app.url).get(`/api/v1${path}`)),
    post: (path: string) => auth(request(app.url).post(`/api/v1${path}`)),
    patch: (path: string) => auth(request(app.url).patch(`/api/v1${path}`)),
  };
}

async function ingest() {
  const res = await request(app.url).post(`/api/v1/channels/${channel.channelId}/messages`).auth(channel.ingestToken, { type: 'bearer' }).send(inboundPost());
  expect(res.status).toBe(201);
  return res.body as { conversationId: string; caseNumber: string };
}

async function signIn(user: Made): Promise<TestAgent> {
  const browser = request.agent(app.url);
  const page = await browser.get('/login');
  await browser
    .post('/login')
    .type('form')
    .send({ _csrf: csrfFrom(page.text), email: user.email, password: user.password })
    .expect(302);
  return browser;
}

const auditOf = (conversationId: string, action: string) =>
  app.services.db
    .selectFrom('auditEvents')
    .select(['action', 'after', 'actorId'])
    .where('subjectId', '=', conversationId)
    .where('action', '=', action as never)
    .execute();

const taskCount = async (conversationId: string) =>
  (await app.services.db.selectFrom('conversationTasks').select('id').where('conversationId', '=', conversationId).execute()).length;

/** A case with three steps: 1 for Lena, 2 for Buchhaltung after 1, 3 for Lena after 2. */
async function threeStepCase() {
  const { conversationId, caseNumber } = await ingest();
  const one = await api(agent).post(`/conversations/${conversationId}/tasks`).send({ title: 'Rechnung anfordern', assigneeId: agent.id }).expect(201);
  const two = await api(agent)
    .post(`/conversations/${conversationId}/tasks`)
    .send({ title: 'Gutschrift buchen', teamId: accounting.id, dueInBusinessHours: 4, dependsOn: [1] })
    .expect(201);
  const three = await api(agent)
    .post(`/conversations/${conversationId}/tasks`)
    .send({ title: 'Kunde informieren', assigneeId: agent.id, dependsOn: [two.body.id] })
    .expect(201);
  return { conversationId, caseNumber, ids: [one.body.id as string, two.body.id as string, three.body.id as string] };
}

describe('tasks over the API', () => {
  it('when tasks are added, then they are numbered, wait for their dependencies, and the due time counts business hours of the case calendar', async () => {
    const before = new Date();
    const { conversationId, ids } = await threeStepCase();
    const after = new Date();
    const detail = await api(agent).get(`/conversations/${conversationId}`).expect(200);
    expect(detail.body.tasks.map((t: { number: number; dependsOn: number[]; waitingFor: number[] }) => [t.number, t.dependsOn, t.waitingFor])).toEqual([
      [1, [], []],
      [2, [1], [1]],
      [3, [2], [2]],
    ]);
    expect(detail.body.tasks[1].team).toEqual({ id: accounting.id, name: 'Buchhaltung' });
    const stored = await app.services.db.selectFrom('calendars').select('definition').where('name', '=', WEEKDAYS_9_TO_17.name).executeTakeFirstOrThrow();
    const cal = compileCalendar(parseCalendarDefinition(stored.definition));
    const due = Date.parse(detail.body.tasks[1].dueAt);
    expect(due).toBeGreaterThanOrEqual(addBusinessMinutes(cal, before, 240).getTime());
    expect(due).toBeLessThanOrEqual(addBusinessMinutes(cal, after, 240).getTime());
    // the customer sees how far the case is, nothing of what the steps are
    expect(detail.body.caseProgress).toEqual({ state: 'in_progress', step: 1, steps: 3, text: 'In Bearbeitung — Schritt 1 von 3' });
    expect(JSON.stringify(detail.body.caseProgress)).not.toMatch(/Gutschrift|Buchhaltung/);
    expect(await auditOf(conversationId, 'conversation.task_created')).toHaveLength(3);
    expect(ids).toHaveLength(3);
  });

  it('when a task is completed before the task it comes after, then 409 names that task; in order, each completes and is audited', async () => {
    const { conversationId, ids } = await threeStepCase();
    const early = await api(accountant).post(`/tasks/${ids[1]}/complete`).send({}).expect(409);
    expect(early.body).toEqual(expect.objectContaining({ error: expect.stringContaining('task(s) 1'), blockedBy: [{ id: ids[0], number: 1 }] }));
    await api(agent).post(`/tasks/${ids[0]}/complete`).send({}).expect(200);
    // Bernd is in Buchhaltung: the team's task is his to complete; Lena's own task is not
    await api(accountant).post(`/tasks/${ids[2]}/complete`).send({}).expect(403);
    expect((await api(accountant).post(`/tasks/${ids[1]}/complete`).send({}).expect(200)).body).toEqual(expect.objectContaining({ number: 2, state: 'done' }));
    await api(accountant).post(`/tasks/${ids[1]}/complete`).send({}).expect(409); // already done
    // a done task others build on is not reopened
    await api(agent).post(`/tasks/${ids[0]}/reopen`).send({}).expect(409);
    await api(agent).post(`/tasks/${ids[2]}/complete`).send({}).expect(200);
    expect((await auditOf(conversationId, 'conversation.task_completed')).map((e) => (e.after as { number: number }).number)).toEqual([1, 2, 3]);
    const detail = await api(agent).get(`/conversations/${conversationId}`).expect(200);
    expect(detail.body.caseProgress).toEqual(expect.objectContaining({ state: 'in_progress', step: 3, steps: 3 }));
    await api(agent).post(`/tasks/${ids[2]}/reopen`).send({}).expect(200);
    expect(await auditOf(conversationId, 'conversation.task_reopened')).toHaveLength(1);
  });

  it('when the input is bad, then 400 names the field and nothing is stored; an auditor gets 403 before the body is read', async () => {
    const { conversationId } = await ingest();
    const bad = [
      { title: 'Beides', assigneeId: agent.id, teamId: accounting.id },
      { title: 'Niemand' },
      { title: '', assigneeId: agent.id },
      { title: 'Nach nichts', assigneeId: agent.id, dependsOn: [7] },
      { title: 'Zwei Fristen', assigneeId: agent.id, dueInBusinessHours: 2, dueDate: '2030-01-02' },
      { title: 'Vorbei', assigneeId: agent.id, dueAt: '2020-01-01T10:00:00Z' },
      { title: 'Irgendwann', assigneeId: agent.id, dueAt: '9999-12-31T10:00:00Z' },
      { title: 'Irgendwann', assigneeId: agent.id, dueDate: '9999-12-31' },
      { title: 'Auditor', assigneeId: auditor.id },
      { title: 'x'.repeat(201), assigneeId: agent.id },
    ];
    for (const body of bad) {
      const res = await api(agent).post(`/conversations/${conversationId}/tasks`).send(body);
      expect([res.status, typeof res.body.error]).toEqual([400, 'string']);
    }
    await api(auditor).post(`/conversations/${conversationId}/tasks`).send({ nonsense: true }).expect(403);
    expect(await taskCount(conversationId)).toBe(0);
  });

  it("when a person lists their tasks, then the team's tasks are there too, overdue first, each linking its case", async () => {
    const { conversationId, caseNumber, ids } = await threeStepCase();
    // an overdue task of Buchhaltung on another case
    const other = await ingest();
    const late = await api(agent).post(`/conversations/${other.conversationId}/tasks`).send({ title: 'Mahnung stoppen', teamId: accounting.id }).expect(201);
    await app.services.db
      .updateTable('conversationTasks')
      .set({ dueAt: new Date(Date.now() - 3_600_000) })
      .where('id', '=', late.body.id)
      .execute();
    const mine = await api(accountant).get('/tasks?assigneeId=me').expect(200);
    const listed = mine.body.tasks.map((t: { id: string }) => t.id);
    expect(listed[0]).toBe(late.body.id);
    expect(mine.body.tasks[0]).toEqual(expect.objectContaining({ dueState: 'overdue', conversation: expect.objectContaining({ id: other.conversationId }) }));
    expect(mine.body.tasks.find((t: { id: string }) => t.id === ids[1])).toEqual(
      expect.objectContaining({ waitingForTasks: 1, conversation: { id: conversationId, caseNumber, status: 'new' } }),
    );
    expect(listed).not.toContain(ids[0]); // Lena's
    await api(accountant).get(`/tasks?assigneeId=${agent.id}`).expect(403);
    const lenas = await api(manager).get(`/tasks?assigneeId=${agent.id}`).expect(200);
    expect(lenas.body.tasks.map((t: { id: string }) => t.id)).toEqual(expect.arrayContaining([ids[0], ids[2]]));
  });
});

describe('closing a case with open tasks', () => {
  it('when an agent closes it over the API, then 409 names the open tasks and the status stays', async () => {
    const { conversationId, ids } = await threeStepCase();
    await api(agent).post(`/tasks/${ids[0]}/complete`).send({}).expect(200);
    const res = await api(agent).post(`/conversations/${conversationId}/status`).send({ status: 'closed', reason: 'erledigt' }).expect(409);
    expect(res.body.openTasks).toEqual([
      { id: ids[1], number: 2, title: 'Gutschrift buchen' },
      { id: ids[2], number: 3, title: 'Kunde informieren' },
    ]);
    expect((await api(agent).get(`/conversations/${conversationId}`)).body.status).toBe('new');
  });

  it('when a German agent closes it in the console (action bar, reply-and-close, bulk), then each refusal names the tasks in German', async () => {
    const { conversationId } = await threeStepCase();
    const browser = await signIn(agent);
    const page = await browser.get(`/conversations/${conversationId}`).expect(200);
    const csrf = csrfFrom(page.text);
    const action = await browser.post(`/conversations/${conversationId}/status`).set('HX-Request', 'true').type('form').send({ _csrf: csrf, status: 'closed' });
    expect(action.status).toBe(409); // the page again, with the refusal at the action bar
    expect(action.text).toContain('Der Fall hat offene Arbeitsschritte: 1 „Rechnung anfordern“, 2 „Gutschrift buchen“, 3 „Kunde informieren“');
    const text = `Antwort ${Date.now()}`;
    const reply = await browser
      .post(`/conversations/${conversationId}/replies`)
      .set('HX-Request', 'true')
      .type('form')
      .send({ _csrf: csrf, text, andClose: '1' });
    expect(reply.text).toContain('Der Fall hat offene Arbeitsschritte');
    const stored = await app.services.db.selectFrom('messages').select('id').where('conversationId', '=', conversationId).where('text', '=', text).execute();
    expect(stored).toHaveLength(0); // the reply and the close are one transaction
    const bulk = await browser
      .post('/inbox/bulk')
      .set('HX-Request', 'true')
      .type('form')
      .send({ _csrf: csrf, ids: conversationId, action: 'close', confirmed: '1' });
    expect(bulk.text).toContain('Der Fall hat offene Arbeitsschritte');
    expect((await api(agent).get(`/conversations/${conversationId}`)).body.status).toBe('new');
  });

  it('when a manager closes it without a reason, then 409 tells them a reason lets them; with one, it closes and the audit names the open tasks', async () => {
    const { conversationId } = await threeStepCase();
    const browser = await signIn(manager);
    const csrf = csrfFrom((await browser.get(`/conversations/${conversationId}`)).text);
    const refused = await browser
      .post(`/conversations/${conversationId}/status`)
      .set('HX-Request', 'true')
      .type('form')
      .send({ _csrf: csrf, status: 'closed' });
    expect(refused.text).toContain('Als Manager können Sie ihn mit einer Begründung trotzdem schließen');
    await api(manager).post(`/conversations/${conversationId}/status`).send({ status: 'closed', reason: 'Kunde hat storniert' }).expect(200);
    const [event] = (await auditOf(conversationId, 'conversation.status_changed')).filter((e) => (e.after as { status: string }).status === 'closed');
    expect(event).toEqual(expect.objectContaining({ actorId: manager.id, after: { status: 'closed', reason: 'Kunde hat storniert', openTasks: [1, 2, 3] } }));
    // the audit log reads it as a sentence
    const timeline = await browser.get(`/audit?subjectId=${conversationId}&scope=all`);
    expect(timeline.text).toContain('trotz offener Schritte (1, 2, 3) geschlossen: Kunde hat storniert');
    expect(timeline.text).toContain('Schritt 2 für Buchhaltung angelegt');
    expect(timeline.text).not.toContain('Gutschrift buchen'); // titles stay out of the chained events
    // a closed case takes no new steps
    await api(agent).post(`/conversations/${conversationId}/tasks`).send({ title: 'Noch was', assigneeId: agent.id }).expect(409);
    expect((await api(agent).get(`/conversations/${conversationId}`)).body.caseProgress).toEqual(
      expect.objectContaining({ state: 'resolved', text: 'Erledigt' }),
    );
  });

  it('when every task is done, then the agent closes the case', async () => {
    const { conversationId, ids } = await threeStepCase();
    for (const [id, who] of [
      [ids[0], agent],
      [ids[1], accountant],
      [ids[2], agent],
    ] as const)
      await api(who).post(`/tasks/${id}/complete`).send({}).expect(200);
    await api(agent).post(`/conversations/${conversationId}/status`).send({ status: 'closed' }).expect(200);
  });
});

describe('overdue tasks', () => {
  const taskNotices = (userId: string) =>
    app.services.db.selectFrom('notifications').select(['taskId', 'conversationId']).where('userId', '=', userId).where('kind', '=', 'task_overdue').execute();

  it("when a team's task passes its due time, then its members and the team's manager are told once, and the reconciler owes nothing more", async () => {
    const { conversationId, ids } = await threeStepCase();
    const deps = { db: app.services.db, dispatcher: app.services.dispatcher };
    expect(await processTaskOverdue(deps, ids[1]!)).toBe('skipped'); // not due yet
    expect((await taskTimersOwed(app.services.db)).map((j) => j.data)).toContainEqual(expect.objectContaining({ taskId: ids[1] }));
    await app.services.db
      .updateTable('conversationTasks')
      .set({ dueAt: new Date(Date.now() - 60_000) })
      .where('id', '=', ids[1]!)
      .execute();
    const others = await taskNotices(manager.id);
    expect(await processTaskOverdue(deps, ids[1]!)).toBe('told');
    expect(await processTaskOverdue(deps, ids[1]!)).toBe('skipped');
    expect(await taskNotices(accountant.id)).toEqual([{ taskId: ids[1], conversationId }]);
    expect(await taskNotices(accountingLead.id)).toEqual([{ taskId: ids[1], conversationId }]);
    expect(await taskNotices(agent.id)).toEqual([]); // not hers
    expect(await taskNotices(manager.id)).toEqual(others); // Buchhaltung has its own manager
    expect((await taskTimersOwed(app.services.db)).map((j) => j.data)).not.toContainEqual(expect.objectContaining({ taskId: ids[1] }));
    expect(await auditOf(conversationId, 'conversation.task_overdue')).toEqual([
      expect.objectContaining({ after: expect.objectContaining({ number: 2, told: 2 }) }),
    ]);
    const bell = await (await signIn(accountant)).get('/notifications');
    expect(bell.text).toContain('Schritt 2 in Fall #');
    expect(bell.text).toContain('ist überfällig');
  });

  it('when Redis lost the timer, then a starting worker re-adds it from the database and the notice goes out once', async () => {
    const { conversationId, ids } = await threeStepCase();
    await app.services.db
      .updateTable('conversationTasks')
      .set({ dueAt: new Date(Date.now() - 60_000) })
      .where('id', '=', ids[1]!)
      .execute();
    await app.services.queues.queue('tasks').remove(`task-overdue-${ids[1]}`);
    const workers = await startWorkers(app.services);
    try {
      await until('the overdue notice', async () => (await auditOf(conversationId, 'conversation.task_overdue')).length > 0);
    } finally {
      await workers.close();
    }
    expect(await auditOf(conversationId, 'conversation.task_overdue')).toHaveLength(1);
    expect((await taskNotices(accountant.id)).filter((n) => n.taskId === ids[1])).toHaveLength(1);
  });

  it('when a task is done before its due time, then its timer tells nobody', async () => {
    const { ids } = await threeStepCase();
    await api(agent).post(`/tasks/${ids[0]}/complete`).send({}).expect(200);
    await api(accountant).post(`/tasks/${ids[1]}/complete`).send({}).expect(200);
    await app.services.db
      .updateTable('conversationTasks')
      .set({ dueAt: new Date(Date.now() - 60_000) })
      .where('id', '=', ids[1]!)
      .execute();
    expect(await processTaskOverdue({ db: app.services.db, dispatcher: app.services.dispatcher }, ids[1]!)).toBe('skipped');
  });
});

describe('erasure', () => {
  it("when the customer is erased, then the titles of their cases' tasks are emptied and the steps still count", async () => {
    const { conversationId } = await ingest();
    await api(agent).post(`/conversations/${conversationId}/tasks`).send({ title: 'Rückruf bei Erika Mustermann', assigneeId: agent.id }).expect(201);
    const { contactId } = await app.services.db.selectFrom('conversations').select('contactId').where('id', '=', conversationId).executeTakeFirstOrThrow();
    await api(manager).post(`/contacts/${contactId}/erasure`).send({ reason: 'Antrag nach Art. 17' }).expect(200);
    const detail = await api(agent).get(`/conversations/${conversationId}`).expect(200);
    expect(detail.body.tasks).toEqual([expect.objectContaining({ number: 1, title: '' })]);
    expect(detail.body.caseProgress).toEqual(expect.objectContaining({ steps: 1 }));
  });
});

describe('the console', () => {
  it('when a team member opens "Meine Aufgaben" and completes the team task, then the dependent task can be completed on the case page', async () => {
    const { conversationId, ids } = await threeStepCase();
    await api(agent).post(`/tasks/${ids[0]}/complete`).send({}).expect(200);
    const bernd = await signIn(accountant);
    const list = await bernd.get('/tasks').expect(200);
    expect(list.text).toContain('Gutschrift buchen');
    expect(list.text).toContain(`/conversations/${conversationId}#task-2`);
    await bernd
      .post(`/tasks/${ids[1]}/complete`)
      .type('form')
      .send({ _csrf: csrfFrom(list.text) })
      .expect(303);
    const lena = await signIn(agent);
    const page = await lena.get(`/conversations/${conversationId}`).expect(200);
    expect(page.text).toContain('In Bearbeitung — Schritt 3 von 3');
    const done = await lena
      .post(`/conversations/${conversationId}/tasks/${ids[2]}/complete`)
      .set('HX-Request', 'true')
      .type('form')
      .send({ _csrf: csrfFrom(page.text) });
    expect(done.status).toBe(200);
    expect(await auditOf(conversationId, 'conversation.task_completed')).toHaveLength(3);
  });

  it('when the add form is sent with a team, business hours and a dependency, then the task is stored; a bad one is shown again in German', async () => {
    const { conversationId } = await ingest();
    const lena = await signIn(agent);
    const csrf = csrfFrom((await lena.get(`/conversations/${conversationId}`)).text);
    const add = (fields: Record<string, string | string[]>) =>
      lena
        .post(`/conversations/${conversationId}/tasks`)
        .set('HX-Request', 'true')
        .type('form')
        .send({ _csrf: csrf, ...fields });
    expect((await add({ title: 'Rechnung anfordern', owner: 'user:me' })).status).toBe(200);
    const second = await add({ title: 'Gutschrift buchen', owner: `team:${accounting.id}`, dueHours: '3', dependsOn: '1' });
    expect(second.text).toContain('nach Schritt 1');
    const refused = await add({ title: '', owner: 'user:me' });
    expect(refused.text).toContain('class="alert"');
    expect(await taskCount(conversationId)).toBe(2);
  });
});
