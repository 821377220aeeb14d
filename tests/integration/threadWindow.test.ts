/**
 * A long conversation's thread in the console: the latest 50 messages, earlier ones 50 at a time behind a button, and a
 * live refresh that keeps what the agent opened. The windows add up to the whole thread, in its order, ties included.
 */
import { sql } from 'kysely';
import request from 'supertest';
import type TestAgent from 'supertest/lib/agent';
import { listMessages } from '../../server/db/repositories/messages.repo';
import { inboundPost, makeApiChannel, makeUser } from '../factories/factories';
import { signInAgent } from '../support/signIn';
import { startTestApp, type TestApp } from '../support/testApp';

let app: TestApp;
let agent: TestAgent;
let conversationId: string;
let otherMessageId: string;
let channelId: string;
let agentId: string;
/** The thread's message ids, oldest first, as the API orders them. */
let all: string[];

const shown = (html: string) => [...html.matchAll(/class="msg msg-[a-z]+" data-message-id="([^"]+)"/g)].map((m) => m[1]!);
const earlierButton = (html: string) => /hx-get="\/conversations\/[^/]+\/thread\?before=([^"]+)"/.exec(html)?.[1] ?? null;

beforeAll(async () => {
  app = await startTestApp();
  const { db, secretBox } = app.services;
  const channel = await makeApiChannel(db, secretBox);
  channelId = channel.channelId;
  const ingest = async () => {
    const res = await request(app.url).post(`/api/v1/channels/${channel.channelId}/messages`).auth(channel.ingestToken, { type: 'bearer' }).send(inboundPost());
    expect(res.status).toBe(201);
    return res.body as { conversationId: string; messageId: string };
  };
  ({ conversationId } = await ingest());
  otherMessageId = (await ingest()).messageId;
  // 119 more, three to a minute and all created in one statement: ties that only the id decides
  await sql`INSERT INTO messages (conversation_id, channel_id, direction, author_name, text, posted_at)
            SELECT ${conversationId}, ${channel.channelId}, CASE WHEN i % 2 = 0 THEN 'outbound' ELSE 'inbound' END, 'Erika',
                   'Nachricht ' || i, now() + (i / 3) * interval '1 minute'
              FROM generate_series(1, 119) i`.execute(db);
  all = (await listMessages(db, conversationId)).map((m) => m.id);
  expect(all).toHaveLength(120);
  const user = await makeUser(db, { role: 'agent', locale: 'de' });
  agentId = user.id;
  agent = await signInAgent(app.url, user);
});

afterAll(() => app.stop());

describe('a long thread in the console', () => {
  it('when an agent opens a conversation of 120 messages, then its page shows the latest 50 and a button for the earlier ones', async () => {
    const page = await agent.get(`/conversations/${conversationId}`);
    expect(page.status).toBe(200);
    expect(shown(page.text)).toEqual(all.slice(70));
    expect(earlierButton(page.text)).toBe(all[70]);
    expect(page.text).toContain('Frühere Nachrichten anzeigen');
  });

  it('when the agent asks for earlier messages until there are none, then each answer brings the 50 before, and together they are the whole thread in order', async () => {
    let before = all[70]!;
    const pages: string[][] = [];
    for (;;) {
      const res = await agent.get(`/conversations/${conversationId}/thread?before=${before}`);
      expect(res.status).toBe(200);
      expect(res.text).not.toContain('<ol');
      pages.unshift(shown(res.text));
      // the newest of those brought takes the focus, where the reader was
      expect(res.text).toMatch(new RegExp(`data-message-id="${pages[0]!.at(-1)}" tabindex="-1" autofocus`));
      const next = earlierButton(res.text);
      if (!next) break;
      expect(next).toBe(pages[0]![0]);
      before = next;
    }
    expect(pages.map((p) => p.length)).toEqual([20, 50]);
    expect([...pages.flat(), ...all.slice(70)]).toEqual(all);
  });

  it('when a live event re-reads the thread from its oldest shown message, then the earlier messages the agent opened stay, and the button only while more exist', async () => {
    const opened = await agent.get(`/conversations/${conversationId}/thread?from=${all[20]}`);
    expect(shown(opened.text)).toEqual(all.slice(20));
    expect(earlierButton(opened.text)).toBe(all[20]);
    const everything = await agent.get(`/conversations/${conversationId}/thread?from=${all[0]}`);
    expect(shown(everything.text)).toEqual(all);
    expect(earlierButton(everything.text)).toBeNull();
  });

  it('when the message named is not one of this conversation, then the refresh shows the latest 50 and "earlier" shows nothing', async () => {
    const refresh = await agent.get(`/conversations/${conversationId}/thread?from=${otherMessageId}`);
    expect(shown(refresh.text)).toEqual(all.slice(70));
    const earlier = await agent.get(`/conversations/${conversationId}/thread?before=${otherMessageId}`);
    expect(earlier.status).toBe(200);
    expect(shown(earlier.text)).toEqual([]);
  });

  it('when the agent’s reply was rejected and 60 messages came after it, then the reply box still gives it back to rework', async () => {
    const { db } = app.services;
    const { conversationId: id } = await sql<{ conversationId: string }>`
      SELECT conversation_id FROM messages WHERE id = ${otherMessageId}`
      .execute(db)
      .then((r) => r.rows[0]!);
    await sql`INSERT INTO messages (conversation_id, channel_id, direction, author_name, author_user_id, text, posted_at, delivery_state)
              VALUES (${id}, ${channelId}, 'outbound', 'Agent', ${agentId}, 'Entwurf &amp; <b>zum Überarbeiten</b>', now() + interval '1 hour', 'rejected')`.execute(
      db,
    );
    await sql`INSERT INTO messages (conversation_id, channel_id, direction, author_name, text, posted_at)
              SELECT ${id}, ${channelId}, 'inbound', 'Erika', 'Noch da? ' || i, now() + interval '2 hours' + i * interval '1 minute'
                FROM generate_series(1, 60) i`.execute(db);
    const page = await agent.get(`/conversations/${id}`);
    expect(page.status).toBe(200);
    expect(page.text).not.toContain('zum Überarbeiten</b>');
    expect(page.text).toMatch(/<textarea[^>]*>Entwurf &amp;amp; &lt;b&gt;zum Überarbeiten&lt;\/b&gt;<\/textarea>/);
  });

  it('when the message named is not an id, then the answer is 400 in the agent’s language', async () => {
    for (const query of ['before=1%27%20OR%201=1', 'from=x', `before=${all[0]}&before=${all[1]}`]) {
      const res = await agent.get(`/conversations/${conversationId}/thread?${query}`).set('HX-Request', 'true');
      expect(res.status).toBe(400);
      expect(res.text).toContain('Bitte prüfen');
    }
  });
});
