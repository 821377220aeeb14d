/** The pure rules of the case-number footer and of the e-mail that answers an offline message. */
import { Permanent } from '../../../connectors/types';
import { caseFooterText, footerMayGo, withCaseFooter } from '../../../server/domain/caseStatus/caseFooter';
import { checkedMail, headerLine } from '../../../server/domain/replies/consoleMailer';
import { offlineReplySubject } from '../../../server/domain/webchat/offlineReplyMail';

const LINK = 'https://care.example/case/1042?sig=' + 'a'.repeat(64);

describe('where the footer may go', () => {
  const base = { channelSetting: true, publicPosts: false, thread: null, privately: false, template: false } as const;

  it('when the channel is private and its setting on, then the footer may go', () => {
    expect(footerMayGo(base)).toBe(true);
  });

  it('when the reply is a public post, then never; a direct message or a private reply on the same channel may carry it', () => {
    expect(footerMayGo({ ...base, publicPosts: true })).toBe(false);
    expect(footerMayGo({ ...base, publicPosts: true, thread: 'dm' })).toBe(true);
    expect(footerMayGo({ ...base, publicPosts: true, privately: true })).toBe(true);
  });

  it('when the setting is off or the reply is an approved template, then never', () => {
    expect(footerMayGo({ ...base, channelSetting: false })).toBe(false);
    expect(footerMayGo({ ...base, template: true })).toBe(false);
  });
});

describe('the footer text', () => {
  it('when the customer writes German or an unknown language, then German; English, then English', () => {
    expect(caseFooterText('de', '1042', LINK)).toBe(`Ihre Vorgangsnummer: #1042\nStatus Ihrer Anfrage: ${LINK}`);
    expect(caseFooterText(null, '1042', LINK)).toBe(caseFooterText('de', '1042', LINK));
    expect(caseFooterText('en', '1042', LINK)).toBe(`Your case number: #1042\nStatus of your request: ${LINK}`);
  });

  it('when reply and footer fit the limit exactly, then they go together; one character more, then not at all', () => {
    const footer = 'Fuß';
    const fits = 'ä'.repeat(10 - 2 - [...footer].length); // counted in characters, not UTF-16 units or bytes
    expect(withCaseFooter(fits, footer, 10)).toBe(`${fits}\n\nFuß`);
    expect(withCaseFooter(`${fits}x`, footer, 10)).toBeNull();
    expect(withCaseFooter('😀'.repeat(5), footer, 10)).toBe(`${'😀'.repeat(5)}\n\nFuß`);
  });
});

describe('the e-mail answering an offline message', () => {
  it("when the subject is made, then the case number comes first, in the visitor's language", () => {
    expect(offlineReplySubject('de', '1042', 'Schuhhaus Berg')).toBe('[#1042] Ihre Anfrage bei Schuhhaus Berg');
    expect(offlineReplySubject('en', '1042', 'Schuhhaus Berg')).toBe('[#1042] Your request to Schuhhaus Berg');
    expect(offlineReplySubject(undefined, '7', '{case}')).toBe('[#7] Ihre Anfrage bei {case}');
  });

  it('when a header value holds line breaks or control characters, then it becomes one bounded line', () => {
    expect(headerLine('Shop\r\nBcc: spy@evil.example\t\u0000x', 100)).toBe('Shop Bcc: spy@evil.example x');
    expect(headerLine('a'.repeat(300), 200)).toBe(`${'a'.repeat(199)}…`);
  });

  const mail = {
    to: 'anna@kunde.example',
    fromName: 'Shop\nX-Evil: 1',
    subject: '[#1] Ihre Anfrage bei Shop\r\nBcc: x@y.example',
    text: 'Hallo\r\nBcc: stays in the body',
    messageIdLocalPart: 'reply-0b7c',
    inReplyTo: '<reply-1@replyline.test>',
    references: ['<reply-0@replyline.test>', 'bad>\r\nBcc: x@y', '<reply-1@replyline.test>'],
  };

  it("when the mail is checked, then the Message-ID takes the sender's domain, headers are single lines and malformed thread ids are dropped", () => {
    expect(checkedMail(mail, 'service@care.example')).toEqual({
      to: 'anna@kunde.example',
      fromName: 'Shop X-Evil: 1',
      subject: '[#1] Ihre Anfrage bei Shop Bcc: x@y.example',
      text: 'Hallo\r\nBcc: stays in the body',
      messageId: '<reply-0b7c@care.example>',
      inReplyTo: '<reply-1@replyline.test>',
      references: ['<reply-0@replyline.test>', '<reply-1@replyline.test>'],
    });
  });

  it('when the address or the Message-ID part is not usable, then the send fails for good', () => {
    expect(() => checkedMail({ ...mail, to: 'anna@kunde.example\r\nBcc: x@y.example' }, 'service@care.example')).toThrow(Permanent);
    expect(() => checkedMail({ ...mail, messageIdLocalPart: 'a b' }, 'service@care.example')).toThrow(Permanent);
  });
});
