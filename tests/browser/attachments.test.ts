/**
 * What a customer sent, as an agent sees it in Chromium (German, 1440 px and 390 px): the photo previewed in the
 * thread, loaded through the product's own route, with its alt text; the PDF as a download link with name and
 * size in German; nothing wider than the screen.
 */
import { deflateSync } from 'node:zlib';
import request from 'supertest';
import { inboundPost, makeApiChannel, makeUser } from '../factories/factories';
import { axeFindings } from '../support/axe';
import { screenshot, signInAs, startBrowser, type BrowserSession } from '../support/browser';
import { until } from '../support/until';
import { startTestApp, type TestApp } from '../support/testApp';

jest.setTimeout(120_000);

/** A PNG of one colour, `width` × `height` pixels (RGB, no filter), built by hand so the test needs no image library. */
function solidPng(width: number, height: number, rgb: [number, number, number]): Buffer {
  const crcTable = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  const crc = (buf: Buffer) => {
    let c = 0xffffffff;
    for (const b of buf) c = crcTable[(c ^ b) & 0xff]! ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  };
  const chunk = (type: string, data: Buffer) => {
    const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const out = Buffer.alloc(body.length + 8);
    out.writeUInt32BE(data.length, 0);
    body.copy(out, 4);
    out.writeUInt32BE(crc(body), body.length + 4);
    return out;
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 2, 0, 0, 0], 8);
  const row = Buffer.concat([Buffer.from([0]), Buffer.alloc(width * 3).map((_, i) => rgb[i % 3]!)]);
  const pixels = deflateSync(Buffer.concat(Array.from({ length: height }, () => row)));
  return Buffer.concat([Buffer.from('89504e470d0a1a0a', 'hex'), chunk('IHDR', header), chunk('IDAT', pixels), chunk('IEND', Buffer.alloc(0))]);
}

let app: TestApp;
let browser: BrowserSession;
beforeAll(async () => {
  [app, browser] = await Promise.all([startTestApp(), startBrowser()]);
});
afterAll(async () => {
  await browser?.close();
  await app?.stop();
});

it.each([1440, 390])('when a customer sent a photo and a PDF, then at %i px the photo is previewed and the PDF is a download with its size', async (width) => {
  const channel = await makeApiChannel(app.services.db, app.services.secretBox);
  const res = await request(app.url)
    .post(`/api/v1/channels/${channel.channelId}/messages`)
    .auth(channel.ingestToken, { type: 'bearer' })
    .send(inboundPost({ text: 'So kam der Karton an, anbei die Rechnung.' }));
  const { conversationId, messageId } = res.body as { conversationId: string; messageId: string };
  const photo = solidPng(480, 320, [47, 91, 234]);
  const pdf = Buffer.concat([Buffer.from('%PDF-1.4\n'), Buffer.alloc(2300, 32)]);
  // Bytes kept as an e-mail's are on ingest (the WhatsApp/Telegram fetch is covered by messageAttachments.test.ts).
  await app.services.db
    .insertInto('messageAttachments')
    .values([
      {
        messageId,
        position: 0,
        fileName: 'karton.png',
        contentType: 'image/png',
        sizeBytes: photo.length,
        providerRef: null,
        content: photo,
        fetchedAt: new Date(),
      },
      {
        messageId,
        position: 1,
        fileName: 'Rechnung 4711.pdf',
        contentType: 'application/pdf',
        sizeBytes: pdf.length,
        providerRef: null,
        content: pdf,
        fetchedAt: new Date(),
      },
    ])
    .execute();

  const agent = await makeUser(app.services.db, { role: 'agent', locale: 'de' });
  const page = await browser.newPage({ locale: 'de-DE', viewport: { width, height: 900 }, bypassCSP: true });
  await signInAs(page, app.url, agent);
  await page.goto(`${app.url}/conversations/${conversationId}`);

  const img = page.locator('.msg-attachments img[alt="Bild vom Kunden: karton.png"]');
  // the thread is loaded (and reloaded by live events) after the page: scroll once it holds still
  await until(
    'the photo scrolled into view',
    () =>
      img.scrollIntoViewIfNeeded({ timeout: 2_000 }).then(
        () => true,
        () => false,
      ),
    20_000,
  );
  await page.waitForFunction(() => {
    const el = document.querySelector<HTMLImageElement>('.msg-attachments img');
    return el?.complete && el.naturalWidth > 0;
  });
  expect(await img.evaluate((el: HTMLImageElement) => [el.naturalWidth, new URL(el.src).pathname.startsWith('/conversations/')])).toEqual([480, true]);
  const box = (await img.boundingBox())!;
  expect(box.width).toBeLessThanOrEqual(Math.min(320, width));

  const file = page.locator('.msg-attachments a.attachment-file');
  await expect(file.getAttribute('aria-label')).resolves.toBe('Rechnung 4711.pdf herunterladen');
  await expect(file.locator('xpath=..').textContent()).resolves.toContain('2,3 kB');
  const [download] = await Promise.all([page.waitForEvent('download'), file.click()]);
  expect(download.suggestedFilename()).toBe('Rechnung 4711.pdf');

  expect(await page.evaluate(() => document.scrollingElement!.scrollWidth)).toBeLessThanOrEqual(width);
  expect(await axeFindings(page, '.msg-attachments')).toEqual([]);
  await img.scrollIntoViewIfNeeded();
  await screenshot(page, `attachments-${width}-de`);
  await page.context().close();
});
