/** Meta's messaging windows and private replies as prepareReply enforces them (pure: no database, no clock). */
import fc from 'fast-check';
import { facebookConnector, instagramConnector } from '../../../connectors/meta/metaConnector';
import { whatsappConnector } from '../../../connectors/whatsapp/whatsappConnector';
import type { Channel } from '../../../server/db/schema';
import { deliveryOfReply, prepareReply } from '../../../server/domain/replies/prepareReply';

const HOUR = 3600_000;
const now = new Date('2026-12-03T12:00:00Z');
const ago = (hours: number) => new Date(now.getTime() - hours * HOUR);
const fb = { kind: 'facebook', settings: { pageId: '1' } } as unknown as Channel;
const wa = { kind: 'whatsapp', settings: {} } as unknown as Channel;

describe('direct messages on Messenger and Instagram', () => {
  it('when the customer wrote within 24 hours, then the reply goes out as a plain response', () => {
    const r = prepareReply(fb, facebookConnector, { text: 'Hallo' }, ago(23.9), now, 'dm');
    expect(deliveryOfReply(r.raw && JSON.parse(r.raw))).toBeNull();
  });

  it('when the customer wrote 1 to 7 days ago, then the reply is tagged as a person’s (HUMAN_AGENT); after 7 days it is refused with the reason', () => {
    fc.assert(
      fc.property(fc.double({ min: 24.01, max: 167.99, noNaN: true }), (hours) => {
        const r = prepareReply(fb, instagramConnector, { text: 'Hallo' }, ago(hours), now, 'dm');
        expect(deliveryOfReply(JSON.parse(r.raw!))).toEqual({ privately: false, humanAgent: true });
      }),
    );
    expect(() => prepareReply(fb, facebookConnector, { text: 'Hallo' }, ago(168.1), now, 'dm')).toThrow('more than 7 days old');
    expect(() => prepareReply(fb, facebookConnector, { text: 'Hallo' }, null, now, 'dm')).toThrow('more than 7 days old');
  });

  it('when a DM is longer than Messenger allows (2000), then it is refused; a comment may be longer', () => {
    expect(() => prepareReply(fb, facebookConnector, { text: 'x'.repeat(2001) }, ago(1), now, 'dm')).toThrow('2000 characters');
    expect(prepareReply(fb, facebookConnector, { text: 'x'.repeat(2001) }, ago(1), now, null).text).toHaveLength(2001);
  });
});

describe('private replies to a comment', () => {
  it('when the comment is at most 7 days old, then the reply is marked private; older, then refused; in a DM or on WhatsApp, then not supported', () => {
    const r = prepareReply(fb, facebookConnector, { text: 'Privat', privately: true }, ago(100), now, null);
    expect(deliveryOfReply(JSON.parse(r.raw!))).toEqual({ privately: true, humanAgent: false });
    expect(() => prepareReply(fb, facebookConnector, { text: 'Privat', privately: true }, ago(169), now, null)).toThrow('can no longer be answered privately');
    expect(() => prepareReply(fb, facebookConnector, { text: 'Privat', privately: true }, ago(1), now, 'dm')).toThrow('cannot be answered privately');
    expect(() => prepareReply(wa, whatsappConnector, { text: 'Privat', privately: true }, ago(1), now, null)).toThrow('cannot be answered privately');
  });

  it('when a public comment is answered, then no window applies, however old the comment', () => {
    expect(prepareReply(fb, facebookConnector, { text: 'Danke!' }, ago(24 * 365), now, null)).toEqual({ text: 'Danke!', raw: null });
  });
});
