import fc from 'fast-check';
import { cleanContentType, cleanFileName, inboundAttachment } from '../../../connectors/attachments';
import { readWhatsappPayload } from '../../../connectors/whatsapp/normalize';
import { readUpdates } from '../../../connectors/telegram/normalize';
import { contentDisposition, imageTypeOf, isPreviewable, servedAs } from '../../../server/domain/attachments/servedAs';

const PNG = Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex');
const JPEG = Buffer.from('ffd8ffe000104a464946', 'hex');
const GIF = Buffer.from('GIF89a\x01\x00', 'latin1');
const WEBP = Buffer.concat([Buffer.from('RIFF'), Buffer.alloc(4), Buffer.from('WEBPVP8 ')]);

describe('servedAs', () => {
  it('when the bytes are a PNG, JPEG, GIF or WebP, then they are shown inline with the type of the bytes, whatever was declared', () => {
    expect(servedAs(PNG, 'application/pdf', 'a.png')).toEqual({ contentType: 'image/png', disposition: `inline; filename="a.png"; filename*=UTF-8''a.png` });
    expect(imageTypeOf(JPEG)).toBe('image/jpeg');
    expect(imageTypeOf(GIF)).toBe('image/gif');
    expect(imageTypeOf(WEBP)).toBe('image/webp');
  });

  it('when the declared type is HTML, SVG, XML or a script, then it goes out as an octet-stream download', () => {
    for (const type of ['text/html', 'image/svg+xml', 'application/xhtml+xml', 'text/xml', 'application/javascript', 'multipart/related'])
      expect(servedAs(Buffer.from('<svg/>'), type, 'x')).toEqual({
        contentType: 'application/octet-stream',
        disposition: `attachment; filename="x"; filename*=UTF-8''x`,
      });
    expect(servedAs(Buffer.from('%PDF'), 'application/pdf', 'x.pdf').contentType).toBe('application/pdf');
    expect(servedAs(Buffer.from('?'), null, 'x').contentType).toBe('application/octet-stream');
  });

  it('for any bytes that are not a raster image, never inline; for any name, the header has no control characters, quotes inside the fallback, or raw non-ASCII', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), fc.option(fc.string()), fc.string({ unit: 'binary', maxLength: 120 }), (bytes, type, name) => {
        const content = Buffer.from(bytes);
        const served = servedAs(content, type, name);
        if (!imageTypeOf(content)) expect(served.disposition.startsWith('attachment;')).toBe(true);
        // eslint-disable-next-line no-control-regex
        expect(served.disposition).toMatch(/^(inline|attachment); filename="[\x20-\x21\x23-\x5b\x5d-\x7e]*"; filename\*=UTF-8''[A-Za-z0-9%!#$&+\-.^_`|~]*$/);
        expect(decodeURIComponent(served.disposition.split("UTF-8''")[1]!)).toBe(name);
      }),
      { numRuns: 300 },
    );
    expect(contentDisposition('attachment', 'a\ud800b')).toBe(`attachment; filename="a_b"; filename*=UTF-8''a%EF%BF%BDb`);
  });

  it('only declared raster images get a preview in the thread', () => {
    expect(isPreviewable('image/jpeg')).toBe(true);
    expect(isPreviewable('image/svg+xml')).toBe(false);
    expect(isPreviewable(null)).toBe(false);
    expect(contentDisposition('attachment', '')).toBe(`attachment; filename="file"; filename*=UTF-8''`);
  });
});

describe('inbound attachments as connectors describe them', () => {
  it('when a name has a path or control characters, or a type is no type, then only what is safe to store is kept', () => {
    expect(cleanFileName('../../etc/passwd')).toBe('passwd');
    expect(cleanFileName('C:\\Users\\x\\Beleg\u0000.pdf')).toBe('Beleg.pdf');
    expect(cleanFileName('x'.repeat(400))).toHaveLength(255);
    expect(cleanContentType('Image/PNG; charset=binary')).toBe('image/png');
    expect(cleanContentType('text/html<script>')).toBeNull();
    expect(inboundAttachment({ content: Buffer.from('abc'), sizeBytes: 99 }).sizeBytes).toBe(3);
  });

  it('when WhatsApp sends a document, then its media id, name and type are kept for fetching later', () => {
    const read = readWhatsappPayload('ch', '123', {
      object: 'whatsapp_business_account',
      entry: [
        {
          id: 'waba',
          changes: [
            {
              field: 'messages',
              value: {
                messaging_product: 'whatsapp',
                metadata: { display_phone_number: '4930', phone_number_id: '123' },
                contacts: [{ wa_id: '4915112345678', profile: { name: 'Erika' } }],
                messages: [
                  {
                    from: '4915112345678',
                    id: 'wamid.1',
                    timestamp: '1764000000',
                    type: 'document',
                    document: { id: '777', mime_type: 'application/pdf', filename: 'Beleg.pdf' },
                  },
                ],
              },
            },
          ],
        },
      ],
    } as never);
    expect(read.items[0]!.attachments).toEqual([{ fileName: 'Beleg.pdf', contentType: 'application/pdf', sizeBytes: null, providerRef: '777', content: null }]);
  });

  it('when Telegram sends a photo in several sizes, then the largest is kept, as JPEG', () => {
    const read = readUpdates('ch', { id: '1', username: 'bot' }, [
      {
        update_id: 5,
        message: {
          message_id: 9,
          date: 1764000000,
          chat: { id: 42, type: 'private' },
          from: { id: 42, first_name: 'Erika' },
          photo: [
            { file_id: 'small', file_unique_id: 's', width: 90, height: 90, file_size: 1000 },
            { file_id: 'large', file_unique_id: 'l', width: 1280, height: 1280, file_size: 90000 },
          ],
        },
      },
    ]);
    expect(read.items[0]!.attachments).toEqual([{ fileName: null, contentType: 'image/jpeg', sizeBytes: 90000, providerRef: 'large', content: null }]);
    expect(read.items[0]!.text).toBe('[photo]');
  });
});
