/** GET /widget/v1/widget.js: any site may load it; browsers keep it a day and revalidate with its ETag. */
import { get, type IncomingHttpHeaders } from 'node:http';
import { gunzipSync } from 'node:zlib';
import request from 'supertest';
import { startTestApp, type TestApp } from '../support/testApp';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(async () => {
  await app.stop();
});

it('when a site loads the widget, then it gets JavaScript any origin may use, cacheable for a day, with an ETag', async () => {
  const res = await request(app.url).get('/widget/v1/widget.js').set('Accept-Encoding', 'identity').set('Origin', 'https://shop.example');
  expect(res.status).toBe(200);
  expect(res.headers['content-type']).toBe('text/javascript; charset=utf-8');
  expect(res.headers['cache-control']).toBe('public, max-age=86400');
  expect(res.headers['access-control-allow-origin']).toBe('*');
  expect(res.headers['cross-origin-resource-policy']).toBe('cross-origin');
  expect(res.headers.etag).toMatch(/^"[\w-]{27}"$/);
  expect(res.text).toContain('data-replyline-chat');
});

it('when the browser accepts gzip, then the same script comes gzipped', async () => {
  const plain = await request(app.url).get('/widget/v1/widget.js').set('Accept-Encoding', 'identity');
  const raw = await new Promise<{ headers: IncomingHttpHeaders; body: Buffer }>((resolve, reject) => {
    get(`${app.url}/widget/v1/widget.js`, { headers: { 'Accept-Encoding': 'gzip, br' } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ headers: res.headers, body: Buffer.concat(chunks) }));
    }).on('error', reject);
  });
  expect(raw.headers['content-encoding']).toBe('gzip');
  expect(raw.headers.vary).toContain('Accept-Encoding');
  expect(gunzipSync(raw.body).toString()).toBe(plain.text);
});

it('when the browser revalidates with the ETag it has, then 304 without a body', async () => {
  const first = await request(app.url).get('/widget/v1/widget.js');
  const again = await request(app.url).get('/widget/v1/widget.js').set('If-None-Match', first.headers.etag!);
  expect(again.status).toBe(304);
  expect(again.text ?? '').toBe('');
});
