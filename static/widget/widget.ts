/**
 * Replyline's website chat widget: embedded with one tag,
 *   <script src="https://replyline.example/widget/v1/widget.js" data-site="SITE_ID" async></script>
 * it reads the site id from that tag, the API base from the tag's own origin and the language from <html lang>.
 * It shows a launcher; asks whether anyone is online; invites proactively when a rule of the site says so and
 * the server holds a free slot for this visitor; opens the pre-chat form when online and the offline e-mail
 * form otherwise; and keeps a started chat (id and visitor token in localStorage) across the site's pages.
 */
import { type Api, type Availability, createApi, type SiteConfig } from './api';
import { chatView } from './chatView';
import { callbackForm, callbackTexts } from './callbackForm';
import { contactForm } from './contactForm';
import { h } from './dom';
import { createStore, type Store } from './storage';
import { applyStyles, widgetCss } from './styles';
import { type Lang, pageLang, textsFor } from './texts';

const DECLINE_QUIET_MS = 30 * 60_000;
type View = { focus(): void; seen?(): void; close?(): void };

function launcherIcon(): SVGSVGElement {
  const ns = 'http://www.w3.org/2000/svg';
  const svg = document.createElementNS(ns, 'svg');
  svg.setAttribute('viewBox', '0 0 24 24');
  svg.setAttribute('aria-hidden', 'true');
  const path = document.createElementNS(ns, 'path');
  path.setAttribute('d', 'M4 3h16a2 2 0 0 1 2 2v11a2 2 0 0 1-2 2H9l-5 4v-4a2 2 0 0 1-2-2V5a2 2 0 0 1 2-2z');
  svg.append(path);
  return svg;
}

function mount(api: Api, store: Store, lang: Lang, config: SiteConfig, firstAvailability: Availability | null) {
  const t = textsFor(lang);
  const page = location.href.slice(0, 2000);
  let availability = firstAvailability;
  let view: View | null = null;
  let unread = 0;
  let chatEnded = false;

  const host = h('div', { 'data-replyline-chat': '' });
  const root = host.attachShadow({ mode: 'open' });
  applyStyles(root, widgetCss(config.colour));
  const launcher = h('button', { type: 'button', class: 'launcher', 'aria-expanded': 'false', 'aria-controls': 'rl-panel' }, launcherIcon());
  const closeButton = h('button', { type: 'button', 'aria-label': t('close') }, '×');
  const body = h('div', { class: 'body', tabindex: '0' }); // scrollable: reachable by keyboard
  const footer = h('div');
  const panel = h(
    'section',
    { id: 'rl-panel', class: 'card panel', role: 'dialog', 'aria-labelledby': 'rl-title', hidden: true },
    h('div', { class: 'head' }, h('h2', { id: 'rl-title' }, config.texts.title || t('title')), closeButton),
    body,
    footer,
  );
  const invitation = h('div', { 'aria-live': 'polite' });
  root.append(h('div', { class: 'rl' }, invitation, panel, launcher));
  document.body.append(host);

  const label = () => launcher.setAttribute('aria-label', (panel.hidden ? t('open') : t('close')) + (unread ? ` (${t('unread', { count: unread })})` : ''));
  const seen = () => !panel.hidden && document.visibilityState === 'visible';

  function show(next: View, bodyNodes: Node[], footerNodes: Node[] = []) {
    view?.close?.();
    view = next;
    body.replaceChildren(...bodyNodes);
    footer.replaceChildren(...footerNodes);
  }

  function showChat(conversationId: string, token: string) {
    const chat = chatView(
      {
        api,
        t,
        lang,
        email: store.get().email,
        seen,
        unseen() {
          unread += 1;
          label();
        },
        gone() {
          store.forgetChat();
          if (view === chat) void route(true);
        },
        ended() {
          // an ended chat stays on screen while the panel is open (and on the site's next page); once the
          // panel is closed, or when the chat ended while it was closed, the next opening starts afresh
          chatEnded = true;
          if (panel.hidden) store.forgetChat();
        },
        newChat() {
          store.forgetChat();
          void route(true);
        },
      },
      conversationId,
      token,
    );
    chatEnded = false;
    show(chat, chat.body, chat.footer);
  }

  const invited = () => {
    const { invitationId, invitationExpiresAt } = store.get();
    return Boolean(invitationId && invitationExpiresAt && Date.parse(invitationExpiresAt) > Date.now());
  };

  function showForm() {
    const prechat = invited() || availability?.online;
    const form = contactForm(
      t,
      {
        id: prechat ? 'rl-prechat' : 'rl-offline',
        intro: prechat ? config.texts.greeting || t('invitation') : config.texts.offline || t('offline'),
        name: config.prechat.name,
        email: prechat ? config.prechat.email : 'required',
        consent: config.texts.consent || t('consent'),
        submit: prechat ? t('start') : t('sendOffline'),
        email0: store.get().email,
      },
      async (values) => {
        if (values.email) store.set({ email: values.email });
        if (prechat) {
          const invitationId = invited() ? store.get().invitationId : undefined;
          const chat = await api.start({ ...values, visitorId: store.get().visitorId, consent: true, page, invitationId });
          store.set({ conversationId: chat.conversationId, token: chat.visitorToken, caseNumber: chat.caseNumber, invitationId: undefined });
          showChat(chat.conversationId, chat.visitorToken);
          view?.focus();
          return;
        }
        const { caseNumber } = await api.offline({ ...values, email: values.email ?? '', consent: true });
        const done = h('p', { tabindex: '-1', role: 'status' }, t('offlineSent', { case: caseNumber }));
        show({ focus: () => done.focus() }, [done]);
        done.focus();
      },
    );
    // bot first: the visitor knows before starting that an automatic assistant answers first
    if (prechat && config.bot) form.querySelector('p')?.after(h('p', { class: 'status' }, config.bot.disclosure));
    show({ focus: () => form.querySelector<HTMLElement>('input,textarea')?.focus() }, prechat ? [form] : [form, offerCallback()]);
  }

  /** Offline: a callback instead of the e-mail form (callbackForm.ts). */
  function offerCallback(): HTMLElement {
    const open = h('button', { type: 'button', class: 'link', 'data-callback': '' }, callbackTexts(lang)('offer'));
    open.addEventListener('click', () => {
      const form = callbackForm(
        api,
        lang,
        () => {
          showForm();
          view?.focus();
        },
        (confirmation) => {
          const done = h('p', { tabindex: '-1', role: 'status' }, confirmation);
          show({ focus: () => done.focus() }, [done]);
          done.focus();
        },
      );
      show({ focus: () => form.querySelector<HTMLElement>('input')?.focus() }, [form]);
      view?.focus();
    });
    return h('div', { class: 'row' }, open);
  }

  async function route(focus: boolean) {
    const { conversationId, token } = store.get();
    if (conversationId && token) showChat(conversationId, token);
    else {
      availability = (await api.availability(store.get().visitorId, page).catch(() => null)) ?? availability;
      showForm();
    }
    if (focus) view?.focus();
  }

  async function open(focus: boolean) {
    invitation.replaceChildren();
    panel.hidden = false;
    launcher.setAttribute('aria-expanded', 'true');
    unread = 0;
    label();
    store.set({ open: true });
    if (!view || (chatEnded && !store.get().conversationId)) await route(focus);
    else if (focus) view.focus();
    view?.seen?.();
  }

  function close() {
    panel.hidden = true;
    launcher.setAttribute('aria-expanded', 'false');
    label();
    store.set({ open: false });
    launcher.focus();
    if (chatEnded) store.forgetChat();
  }

  function showInvitation() {
    const start = h('button', { type: 'button', class: 'primary' }, t('start'));
    const decline = h('button', { type: 'button', class: 'link' }, t('noThanks'));
    start.addEventListener('click', () => void open(true));
    decline.addEventListener('click', () => {
      store.set({ declinedAt: Date.now() });
      invitation.replaceChildren();
      launcher.focus();
    });
    invitation.replaceChildren(
      h('div', { class: 'card invite' }, h('p', {}, config.texts.greeting || t('invitation')), h('div', { class: 'row' }, start, decline)),
    );
  }

  function scheduleInvitation() {
    const after = availability?.inviteAfterSeconds;
    const { declinedAt } = store.get();
    if (after == null || (declinedAt && Date.now() - declinedAt < DECLINE_QUIET_MS)) return;
    if (availability?.invite && invited()) {
      showInvitation();
      return;
    }
    setTimeout(async () => {
      if (!panel.hidden || store.get().conversationId) return;
      const answer = await api.invite(store.get().visitorId, page).catch(() => null);
      if (!answer?.invite || !panel.hidden) return;
      store.set({ invitationId: answer.invitationId, invitationExpiresAt: answer.expiresAt });
      showInvitation();
    }, after * 1000);
  }

  launcher.addEventListener('click', () => (panel.hidden ? void open(true) : close()));
  closeButton.addEventListener('click', close);
  root.addEventListener('keydown', (event) => {
    if ((event as KeyboardEvent).key === 'Escape' && !panel.hidden) close();
  });
  document.addEventListener('visibilitychange', () => view?.seen?.());
  label();

  const { conversationId, open: wasOpen } = store.get();
  if (conversationId) {
    void route(false);
    if (wasOpen) void open(false);
  } else scheduleInvitation();
}

async function boot() {
  const script =
    (document.currentScript as HTMLScriptElement | null) ?? document.querySelector<HTMLScriptElement>('script[data-site][src*="/widget/v1/widget.js"]');
  const siteId = script?.dataset.site;
  if (!script || !siteId) return;
  const lang = pageLang();
  const api = createApi(new URL(script.src).origin, siteId, lang);
  const store = createStore(siteId);
  const [config, availability] = await Promise.all([
    api.config().catch(() => null), // unknown site or an origin it does not allow: no widget
    api.availability(store.get().visitorId, location.href.slice(0, 2000)).catch(() => null),
  ]);
  if (!config) return;
  const start = () => mount(api, store, lang, config, availability);
  if (document.body) start();
  else document.addEventListener('DOMContentLoaded', start);
}

void boot();
