/**
 * Property-based fuzzing (fast-check, fixed seed) of the inputs that come from outside without a user:
 * the API channel's ingest and the WhatsApp webhook (handshake and signed deliveries). Properties: never
 * a 5xx; on a 4xx no table changes; valid inputs, however odd their text, are accepted and stored.
 */
import fc from 'fast-check';
import request from 'supertest';
import { inboundPost, makeApiChannel } from '../factories/factories';
import { makeWhatsappChannel } from '../factories/messagingChannels';
import { inboundText, signPayload } from '../fakes/fakeMetaServer';
import { processWebhookInbox } from '../../server/domain/channels/webhooks/webhookInbox';
import { changedTables, fuzzParams, hostileBody, hostileJsonValue, hostileString, mutatedObject, rawJson, tableDigest } from '../support/fuzz';
import { startTestApp, type TestApp } from '../support/testApp';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(async () => {
  await app.stop();
});

const digest = () => tableDigest(app.services.pool);
type Answer = { status: number; body: unknown; text: string };

/** Sends one request and checks the two properties every bad input must keep. */
async function expectSafe(send: () => Promise<Answer>): Promise<Answer> {
  const before = await digest();
  const res = await send();
  if (res.status >= 500) throw new Error(`answered ${res.status}: ${res.text.slice(0, 300)}`);
  if (res.status >= 400) {
    expect(changedTables(before, await digest())).toEqual([]);
    expect(typeof (res.body as { error?: unknown }).error === 'string' || res.text.length > 0).toBe(true);
  }
  return res;
}

/** A path segment built from a hostile string; strings that cannot be URI-encoded (lone surrogates) become raw bytes. */
const pathSegment = () =>
  fc.oneof(
    hostileString().map((s) => {
      try {
        return encodeURIComponent(s.slice(0, 300));
      } catch {
        return '%ED%A0%80';
      }
    }),
    fc.constantFrom('%', '%zz', '%E0%A4%A', '..', '%2e%2e', '%00', 'null', '00000000-0000-0000-0000-000000000000', '00000000-0000-0000-0000-00000000000g'),
  );

describe('POST /api/v1/channels/:channelId/messages under fuzzing', () => {
  let channel: Awaited<ReturnType<typeof makeApiChannel>>;
  beforeAll(async () => {
    channel = await makeApiChannel(app.services.db, app.services.secretBox);
  });
  const ingest = (body: string, token: string | null = channel.ingestToken, channelId = channel.channelId) => {
    const req = request(app.url).post(`/api/v1/channels/${channelId}/messages`).set('content-type', 'application/json');
    if (token !== null) req.set('authorization', `Bearer ${token}`);
    return req.send(body);
  };

  it('when the body is arbitrary (any JSON, broken JSON, binary), then the answer is a 4xx (or a 2xx for a valid post) and a 4xx stores nothing', async () => {
    await fc.assert(
      fc.asyncProperty(hostileBody(), async (body) => {
        const res = await expectSafe(() => ingest(body));
        expect([200, 201, 400]).toContain(res.status);
      }),
      fuzzParams(80),
    );
  });

  it('when a valid post has some fields replaced by hostile values or extra keys (__proto__, constructor, …), then it is a 400 that stores nothing, or stored as sent', async () => {
    await fc.assert(
      fc.asyncProperty(mutatedObject(inboundPost()), async (post) => {
        const res = await expectSafe(() => ingest(rawJson(post)));
        expect([200, 201, 400]).toContain(res.status);
        if (res.status === 400) expect((res.body as { fields?: unknown }).fields).toEqual(expect.any(Object));
      }),
      fuzzParams(80),
    );
  });

  it('when the token or the channel id is hostile, then 401/404 and nothing is stored', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.option(
          hostileString().filter((s) => !/[\r\n\u0000]/.test(s) && /^[\x20-\x7e]*$/.test(s)),
          { nil: null },
        ),
        pathSegment(),
        fc.boolean(),
        async (token, channelId, realChannel) => {
          const res = await expectSafe(() => ingest(JSON.stringify(inboundPost()), token, realChannel ? channel.channelId : channelId));
          expect(realChannel ? [401] : [400, 401, 404]).toContain(res.status);
        },
      ),
      fuzzParams(60),
    );
  });

  it('when a valid post carries arbitrary unicode (4-byte emoji, RTL overrides, combining marks, up to 100 kB), then it is stored exactly as sent', async () => {
    // The README's contract: any text of 1–100 000 characters; NUL and lone surrogates are not text (see the next test).
    const text = fc
      .oneof(
        fc.string({ unit: 'grapheme', minLength: 1, maxLength: 200 }),
        fc.string({ unit: 'binary', minLength: 1, maxLength: 200 }),
        fc.constantFrom('😀'.repeat(25_000), '\u202Eevil\u202C', 'x'.repeat(100_000), "'); DROP TABLE messages; --", '{{contact.name}}', '<b>hi</b>'),
      )
      .filter((s) => !/\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(s) && s.length <= 100_000);
    await fc.assert(
      fc.asyncProperty(
        text,
        hostileString().filter((s) => s.trim().length > 0 && s.length <= 200 && !/\u0000|[\uD800-\uDFFF]/.test(s)),
        async (t, name) => {
          const post = inboundPost({ text: t, author: { externalId: `fuzz-${Math.random()}`, name } });
          const res = await ingest(JSON.stringify(post));
          expect(res.status).toBe(201);
          const stored = await app.services.db
            .selectFrom('messages')
            .select(['text', 'authorName'])
            .where('id', '=', res.body.messageId)
            .executeTakeFirstOrThrow();
          expect(stored.text).toBe(t);
          expect(stored.authorName).toBe(name.trim());
        },
      ),
      fuzzParams(40),
    );
  });

  it('when the text or a name holds a NUL character or a lone surrogate, then 400 naming the field, and nothing is stored', async () => {
    const bad = fc.constantFrom('a\u0000b', '\u0000', 'x\uD800', '\uDFFFy', 'ok \uD83D');
    await fc.assert(
      fc.asyncProperty(bad, fc.constantFrom('text', 'externalId', 'author.name', 'author.handle', 'author.externalId'), async (value, field) => {
        const post: Record<string, any> = inboundPost();
        if (field.startsWith('author.')) post.author[field.slice(7)] = value;
        else post[field] = value;
        const res = await expectSafe(() => ingest(JSON.stringify(post)));
        expect(res.status).toBe(400);
        expect(Object.keys((res.body as { fields: object }).fields)).toContain(field);
      }),
      fuzzParams(25),
    );
  });

  it('when a valid post has a NUL only in an unknown author field (kept in the raw payload), then 400 naming it, and nothing is stored', async () => {
    const res = await expectSafe(() =>
      ingest('{"externalId":"e-nul","author":{"externalId":"a","name":"n","nick":"\\u0000"},"text":"t","postedAt":"2026-01-01T00:00:00Z"}'),
    );
    expect(res.status).toBe(400);
    expect((res.body as { fields: unknown }).fields).toEqual({ 'author.nick': expect.any(String) });
  });
});

describe('WhatsApp webhook under fuzzing', () => {
  let wa: Awaited<ReturnType<typeof makeWhatsappChannel>>;
  beforeAll(async () => {
    wa = await makeWhatsappChannel(app.services.db, app.services.secretBox, { graphBaseUrl: 'http://127.0.0.1:9/' });
  });
  const post = (body: string | Buffer, signature: string | null, contentType = 'application/json') => {
    const req = request(app.url).post('/webhooks/whatsapp').set('content-type', contentType);
    if (signature !== null) req.set('x-hub-signature-256', signature);
    return req.send(body);
  };
  const inboxRows = async () =>
    app.services.db.selectFrom('webhookInbox').select(['id', 'processedAt', 'lastError']).where('channelId', '=', wa.channelId).execute();

  it('when the handshake query is arbitrary (values, arrays, nested objects), then 403 unless it names our verify token, and nothing is stored', async () => {
    const param = fc.oneof(
      hostileString().map((s) => s.slice(0, 500)),
      fc.constant(undefined),
      fc.constantFrom('subscribe', wa.verifyToken),
    );
    await fc.assert(
      fc.asyncProperty(param, param, param, fc.boolean(), async (mode, token, challenge, asArray) => {
        const raw = [
          ['hub.mode', mode],
          ['hub.verify_token', token],
          ['hub.challenge', challenge],
        ]
          .filter(([, v]) => v !== undefined)
          .flatMap(([k, v]) => {
            let e: string;
            try {
              e = encodeURIComponent(v as string);
            } catch {
              e = '%ED%A0%80';
            }
            return asArray ? [`${k}=${e}`, `${k}[x]=${e}`] : [`${k}=${e}`];
          })
          .join('&');
        const res = await expectSafe(() => request(app.url).get(`/webhooks/whatsapp?${raw}`));
        const valid =
          !asArray && mode === 'subscribe' && token === wa.verifyToken && typeof challenge === 'string' && challenge.length > 0 && challenge.length <= 200;
        expect(res.status).toBe(valid ? 200 : 403);
        if (valid) expect(res.text).toBe(challenge);
      }),
      fuzzParams(60),
    );
  });

  it('when the body is arbitrary and the signature absent, malformed or made with another secret, then 401 (or 413) and nothing is stored', async () => {
    const signature = fc.oneof(
      fc.constant(null),
      hostileString()
        .filter((s) => /^[\x20-\x7e]*$/.test(s))
        .map((s) => s.slice(0, 200)),
      fc.stringMatching(/^sha256=[0-9a-f]{64}$/),
      fc.constantFrom('sha256=', 'sha1=abc', 'SHA256=' + '0'.repeat(64), 'sha256=' + 'g'.repeat(64)),
    );
    await fc.assert(
      fc.asyncProperty(hostileBody(), signature, fc.boolean(), async (body, sig, otherSecret) => {
        const header = otherSecret ? signPayload('not-the-app-secret', body) : sig;
        const res = await expectSafe(() => post(body, header));
        expect(res.status).toBe(401);
      }),
      fuzzParams(60),
    );
  });

  it('when a validly signed body is not JSON at all, then 400 and nothing is stored', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('', '{', 'not json', '[1,', '\u0000', '{"a":"\\x"}'),
        fc.constantFrom('application/json', 'text/plain', 'application/x-www-form-urlencoded'),
        async (body, type) => {
          const res = await expectSafe(() => post(body, signPayload(wa.appSecret, body), type));
          expect(res.status).toBe(400);
        },
      ),
      fuzzParams(15),
    );
  });

  it('when a validly signed body is hostile but well-formed JSON, then 200 (or 400) without a 5xx, and processing what was stored never fails', async () => {
    const sample = inboundText(wa.phoneNumberId, 'Hallo');
    const message = (sample as any).entry[0].changes[0].value.messages[0];
    const hostileMessage = mutatedObject(message);
    const hostileValue = mutatedObject({ ...(sample as any).entry[0].changes[0].value, metadata: { phone_number_id: wa.phoneNumberId } });
    const payload = fc.oneof(
      hostileJsonValue(),
      hostileMessage.map((m) => ({
        ...sample,
        entry: [{ id: '1', changes: [{ field: 'messages', value: { ...(sample as any).entry[0].changes[0].value, messages: [m] } }] }],
      })),
      hostileValue.map((v) => ({ object: 'whatsapp_business_account', entry: [{ id: '1', changes: [{ field: 'messages', value: v }] }] })),
      fc
        .record({ text: hostileString(), name: hostileString() })
        .map(({ text, name }) => inboundText(wa.phoneNumberId, text, { name, id: `wamid.fuzz${Math.random()}` })),
    );
    await fc.assert(
      fc.asyncProperty(payload, async (p) => {
        const body = rawJson(p);
        const before = (await inboxRows()).length;
        const res = await expectSafe(() => post(body, signPayload(wa.appSecret, body)));
        expect([200, 400]).toContain(res.status);
        const rows = await inboxRows();
        for (const row of rows.filter((r) => r.processedAt === null)) {
          await expect(processWebhookInbox(app.services, row.id)).resolves.toMatchObject({ outcome: 'processed' });
        }
        if (res.status === 200) expect(rows.length - before).toBe((res.body as { received: number }).received);
      }),
      fuzzParams(60),
    );
    expect((await inboxRows()).filter((r) => r.processedAt === null || r.lastError)).toEqual([]);
  });
});
