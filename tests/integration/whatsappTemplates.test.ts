/** Managers register a WhatsApp channel's approved templates on the channels page. */
import request from 'supertest';
import { readWhatsappSettings } from '../../connectors/whatsapp/settings';
import { makeUser } from '../factories/factories';
import { makeWhatsappChannel } from '../factories/messagingChannels';
import { startTestApp, type TestApp } from '../support/testApp';
import { csrfFrom } from '../support/csrf';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(async () => {
  await app.stop();
});

async function signedIn(role: 'manager' | 'agent') {
  const user = await makeUser(app.services.db, { role });
  const agent = request.agent(app.url);
  const login = await agent.get('/login');
  await agent
    .post('/login')
    .type('form')
    .send({ _csrf: csrfFrom(login.text), email: user.email, password: user.password })
    .expect(302);
  return agent;
}

const templatesOf = async (channelId: string) => {
  const row = await app.services.db.selectFrom('channels').select('settings').where('id', '=', channelId).executeTakeFirstOrThrow();
  return readWhatsappSettings(row.settings).templates;
};

describe('WhatsApp templates on the channels page', () => {
  it('when a manager saves templates one per line, then the channel keeps them, the page shows them and the change is audited', async () => {
    const channel = await makeWhatsappChannel(app.services.db, app.services.secretBox);
    const manager = await signedIn('manager');
    const page = await manager.get('/settings/channels');
    const res = await manager
      .post(`/settings/channels/${channel.channelId}/templates`)
      .type('form')
      .send({ _csrf: csrfFrom(page.text), templates: 'order_update:de\n\nshipping_delay:en_US\norder_update:de' });
    expect(res.status).toBe(303);
    expect(await templatesOf(channel.channelId)).toEqual([
      { name: 'order_update', language: 'de' },
      { name: 'shipping_delay', language: 'en_US' },
    ]);
    expect((await manager.get('/settings/channels')).text).toContain('order_update:de\nshipping_delay:en_US');
    const audit = await app.services.db
      .selectFrom('auditEvents')
      .select(['action', 'after'])
      .where('subjectId', '=', channel.channelId)
      .where('action', '=', 'channel.templates_changed')
      .execute();
    expect(audit).toHaveLength(1);
  });

  it('when a line is not name:language, then 400 names the line and nothing changes', async () => {
    const channel = await makeWhatsappChannel(app.services.db, app.services.secretBox);
    const manager = await signedIn('manager');
    const page = await manager.get('/settings/channels');
    const res = await manager
      .post(`/settings/channels/${channel.channelId}/templates`)
      .type('form')
      .send({ _csrf: csrfFrom(page.text), templates: 'order_update:de\nBad Name!:de' });
    expect(res.status).toBe(400);
    expect(res.text).toContain('Bad Name!:de');
    expect(await templatesOf(channel.channelId)).toEqual([]);
  });

  it('when an agent tries, then 403 and nothing changes', async () => {
    const channel = await makeWhatsappChannel(app.services.db, app.services.secretBox);
    const agent = await signedIn('agent');
    const inbox = await agent.get('/inbox');
    const res = await agent
      .post(`/settings/channels/${channel.channelId}/templates`)
      .type('form')
      .send({ _csrf: csrfFrom(inbox.text), templates: 'order_update:de' });
    expect(res.status).toBe(403);
    expect(await templatesOf(channel.channelId)).toEqual([]);
  });
});
