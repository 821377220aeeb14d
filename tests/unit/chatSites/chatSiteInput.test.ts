/** A chat site's input: origins normalised as URL origins, invitation rules and texts bounded, defaults for empty texts. */
import { chatSiteChangeInput, chatSiteInput } from '../../../server/domain/chatSites/chatSiteInput';
import { embedSnippet } from '../../../server/domain/chatSites/embedSnippet';
import { normaliseOrigin } from '../../../server/domain/chatSites/origins';
import { completeTexts } from '../../../server/domain/chatSites/siteTexts';

describe('normaliseOrigin', () => {
  it.each([
    ['https://shop.example.de', 'https://shop.example.de'],
    ['  https://Shop.Example.DE/ ', 'https://shop.example.de'],
    ['https://shop.example.de:443', 'https://shop.example.de'],
    ['https://shop.example.de:8443', 'https://shop.example.de:8443'],
    ['https://bücher.example', 'https://xn--bcher-kva.example'],
    ['http://localhost:8080', 'http://localhost:8080'],
    ['http://127.0.0.1:3000/', 'http://127.0.0.1:3000'],
    ['http://[::1]:3000', 'http://[::1]:3000'],
  ])('when %s is given, then the origin is %s', (raw, origin) => {
    expect(normaliseOrigin(raw)).toBe(origin);
  });

  it.each([
    ['plain http on a public host', 'http://shop.example.de'],
    ['a path', 'https://shop.example.de/kasse'],
    ['a query', 'https://shop.example.de?x=1'],
    ['a fragment', 'https://shop.example.de#top'],
    ['a wildcard', 'https://*.example.de'],
    ['credentials', 'https://user:secret@shop.example.de'],
    ['no scheme', 'shop.example.de'],
    ['another scheme', 'ftp://shop.example.de'],
    ['a javascript URL', 'javascript:alert(1)'],
    ['an empty label', 'https://shop..example.de'],
    ['a space', 'https://shop example.de'],
    ['nothing', '   '],
    ['300+ characters', `https://${'a'.repeat(300)}.de`],
  ])('when the origin has %s, then it is refused', (_what, raw) => {
    expect(normaliseOrigin(raw)).toBeNull();
  });
});

describe('chatSiteInput', () => {
  it('when origins repeat in other spellings, then each is kept once in its normal form', () => {
    const v = chatSiteInput.parse({ name: 'Shop', allowedOrigins: ['https://A.example', 'https://a.example:443/', 'http://localhost'] });
    expect(v.allowedOrigins).toEqual(['https://a.example', 'http://localhost']);
  });

  it('when a bad origin is among good ones, then the problem names its place in the list', () => {
    const r = chatSiteInput.safeParse({ name: 'Shop', allowedOrigins: ['https://a.example', 'https://b.example/x'] });
    expect(r.success).toBe(false);
    expect(r.error!.issues.map((i) => i.path.join('.'))).toEqual(['allowedOrigins.1']);
  });

  it.each([
    [{ urlPattern: '/checkout*', afterSeconds: 0 }, true],
    [{ urlPattern: 'https://shop.example/help/*', afterSeconds: 600 }, true],
    [{ urlPattern: '*', afterSeconds: 30 }, true],
    [{ urlPattern: '/a b', afterSeconds: 30 }, false],
    [{ urlPattern: '/tab\there', afterSeconds: 30 }, false],
    [{ urlPattern: '', afterSeconds: 30 }, false],
    [{ urlPattern: `/${'x'.repeat(200)}`, afterSeconds: 30 }, false],
    [{ urlPattern: '/x', afterSeconds: -1 }, false],
    [{ urlPattern: '/x', afterSeconds: 601 }, false],
    [{ urlPattern: '/x', afterSeconds: 1.5 }, false],
    [{ urlPattern: '/x', afterSeconds: 5, extra: true }, false],
  ])('when a rule is %j, then it is accepted: %s', (rule, ok) => {
    expect(chatSiteInput.safeParse({ name: 'Shop', invitationRules: [rule] }).success).toBe(ok);
  });

  it('when there are 20 rules or origins, then they pass; 21 do not', () => {
    const rules = (n: number) => Array.from({ length: n }, (_, i) => ({ urlPattern: `/p${i}`, afterSeconds: i }));
    const origins = (n: number) => Array.from({ length: n }, (_, i) => `https://s${i}.example`);
    expect(chatSiteInput.safeParse({ name: 'S', invitationRules: rules(20), allowedOrigins: origins(20) }).success).toBe(true);
    expect(chatSiteInput.safeParse({ name: 'S', invitationRules: rules(21) }).success).toBe(false);
    expect(chatSiteInput.safeParse({ name: 'S', allowedOrigins: origins(21) }).success).toBe(false);
  });

  it.each([
    [{ maxWaitSeconds: 4 }],
    [{ maxWaitSeconds: 3601 }],
    [{ targetSeconds: 601 }],
    [{ targetPercent: 0 }],
    [{ targetPercent: 101 }],
    [{ inactivityMinutes: 0 }],
    [{ colour: '#12345' }],
    [{ prechat: { name: 'sometimes' } }],
    [{ texts: { de: { greeting: 'x'.repeat(501) } } }],
    [{ texts: { en: { consent: 'x'.repeat(1001) } } }],
    [{ routing: { mode: 'random' } }],
    [{ unknown: 1 }],
  ])('when a site has %j, then it is refused', (field) => {
    expect(chatSiteInput.safeParse({ name: 'Shop', ...field }).success).toBe(false);
  });

  it('when a change names nothing but the site, then it is refused', () => {
    expect(chatSiteChangeInput.safeParse({ siteId: '00000000-0000-4000-8000-000000000000' }).success).toBe(false);
    expect(chatSiteChangeInput.safeParse({ siteId: '00000000-0000-4000-8000-000000000000', colour: '#ABCDEF' }).data?.colour).toBe('#abcdef');
  });
});

describe('completeTexts', () => {
  it('when texts are empty or missing, then each language has its default; a change overrides only what it names', () => {
    const texts = completeTexts({ de: { title: 'Hilfe', greeting: '  ' } }, { en: { title: 'Help' } });
    expect(texts.de.title).toBe('Hilfe');
    expect(texts.de.greeting).toMatch(/Wie können wir Ihnen helfen/);
    expect(texts.en.title).toBe('Help');
    expect(texts.de.consent).toMatch(/Datenschutzerklärung/);
    expect(texts.en.offline).toMatch(/e-mail/);
    expect(completeTexts(texts, { de: { title: '' } }).de.title).toBe('Chat mit uns');
  });
});

describe('embedSnippet', () => {
  it('when the base URL ends with a slash, then the snippet is the one script tag of the contract', () => {
    expect(embedSnippet('https://care.example.de/', 'abc')).toBe('<script src="https://care.example.de/widget/v1/widget.js" data-site="abc" async></script>');
  });
});
