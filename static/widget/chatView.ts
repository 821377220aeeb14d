/**
 * A running (or ended) chat: the messages, the agent typing, queue position and expected wait, the accepted
 * banner, delivery and read state, the composer, "end chat" and the transcript by e-mail. While the automatic
 * assistant holds the chat (bot first), its replies are labelled, the latest one's "did it help?" has Ja/Nein
 * buttons, and "talk to a person" is always on screen.
 * Messages are kept by id: the history reload and the live stream may both bring one, it is shown once.
 */
import { type Api, ApiError, type BotAnswer, type ChatMessage, type History } from './api';
import { openChatStream } from './chatStream';
import { field, h } from './dom';
import type { Lang, TextKey } from './texts';

type T = (key: TextKey, values?: Record<string, string | number>) => string;
export type ChatContext = {
  api: Api;
  t: T;
  lang: Lang;
  email?: string;
  /** the panel is open and the page visible: new agent messages count as read */
  seen(): boolean;
  /** an agent message arrived while the panel was closed */
  unseen(): void;
  /** the token no longer reads this chat (ended long ago, erased): forget it */
  gone(): void;
  ended(): void;
  newChat(): void;
};

const TYPING_EVERY_MS = 3000;
const TYPING_SHOWN_MS = 6000;
const later = (a: string, b: string) => (Date.parse(a) > Date.parse(b) ? a : b);

export function chatView(ctx: ChatContext, conversationId: string, token: string) {
  const { api, t, lang } = ctx;
  const messages = new Map<string, ChatMessage>();
  const items = new Map<string, HTMLElement>();
  let lastAgent: ChatMessage | null = null; // the newest agent message: the stream resumes after it, older visitor messages count as read
  let reportedRead = new Date(0).toISOString(); // the visitor has read the agent's messages up to here (the server knows)
  let ended: string | null = null;
  let agentName: string | null = null;
  let accepted = false;
  let queue = '';
  let lastTyping = 0;
  let typingTimer: ReturnType<typeof setTimeout> | undefined;
  let pending = 0;
  let botHolding = false;
  let answeredAt: string | null = null; // a person answered up to here: the visitor's earlier messages were read (the bot reads nothing)
  let lastBot: ChatMessage | null = null; // the newest bot message: its question gets the Ja/Nein buttons

  const status = h('p', { class: 'status', role: 'status' });
  const connection = h('p', { class: 'status', role: 'status' });
  const log = h('div', { class: 'log', role: 'log', 'aria-label': t('messages') });
  const typing = h('p', { class: 'typing', 'aria-live': 'polite' });
  const newChat = h('button', { type: 'button', class: 'primary', hidden: true }, t('newChat'));
  const input = h('textarea', { id: 'rl-input', rows: '2', maxlength: '2000' });
  const sendError = h('p', { class: 'error', role: 'alert' });
  const composer = h(
    'form',
    { class: 'composer' },
    h('label', { for: 'rl-input', class: 'sr' }, t('message')),
    input,
    h('button', { type: 'submit', class: 'primary' }, t('send')),
  );
  const endButton = h('button', { type: 'button', class: 'link' }, t('endChat'));
  const yes = h('button', { type: 'button', class: 'primary', 'aria-label': t('botYesLong') }, t('botYes'));
  const no = h('button', { type: 'button', class: 'secondary', 'aria-label': t('botNoLong') }, t('botNo'));
  const helped = h('div', { class: 'row bot-answer', hidden: true }, yes, no);
  const human = h('button', { type: 'button', class: 'secondary human', hidden: true }, t('botHuman'));
  const transcriptToggle = h('button', { type: 'button', class: 'link', 'aria-expanded': 'false', 'aria-controls': 'rl-transcript' }, t('transcript'));
  const [emailField, email] = field(
    'rl-transcript-email',
    t('email'),
    h('input', { type: 'email', autocomplete: 'email', maxlength: '254', value: ctx.email }),
  );
  const transcriptStatus = h('p', { role: 'status' });
  const transcript = h(
    'form',
    { id: 'rl-transcript', class: 'actions', hidden: true },
    emailField,
    h('button', { type: 'submit', class: 'primary' }, t('transcriptSend')),
    transcriptStatus,
  );

  const time = (at: string) => new Date(at).toLocaleTimeString(lang === 'en' ? 'en-GB' : 'de-DE', { hour: '2-digit', minute: '2-digit' });
  const meta = (m: ChatMessage) => {
    if (m.from !== 'visitor') return time(m.at);
    // stored on the server: delivered; the agent answered after it: read
    const state = m.id.startsWith('pending-') ? t('sending') : answeredAt && Date.parse(m.at) <= Date.parse(answeredAt) ? t('read') : t('delivered');
    return `${time(m.at)} · ${state}`;
  };

  /** An automatic reply: its label, intro, the offered articles as links (opening in a new tab), its question. */
  function botBody(m: ChatMessage): Node[] {
    const bot = m.bot!;
    const links = bot.articles.map((a) => h('li', {}, h('a', { href: a.url, target: '_blank', rel: 'noopener' }, a.title)));
    return [
      h('span', { class: 'who', 'data-bot-label': '' }, bot.label),
      h('span', {}, bot.intro),
      ...(links.length ? [h('ul', { class: 'articles', 'aria-label': t('botArticles') }, ...links)] : []),
      ...(bot.question ? [h('span', { class: 'question' }, bot.question)] : []),
    ];
  }

  function render(m: ChatMessage) {
    const mine = m.from === 'visitor';
    let item = items.get(m.id);
    if (!item) {
      item = h('div', { 'data-at': m.at });
      items.set(m.id, item);
      const after = [...log.children].find((other) => Date.parse((other as HTMLElement).dataset.at ?? '') > Date.parse(m.at));
      log.insertBefore(item, after ?? null);
    }
    item.className = mine ? 'msg me' : m.bot ? 'msg bot' : 'msg';
    item.replaceChildren(
      ...(m.bot ? botBody(m) : [h('span', { class: 'who' }, mine ? t('you') : m.authorName || agentName || t('team')), h('span', {}, m.text)]),
      h('span', { class: 'meta' }, meta(m)),
    );
    // the newest message in view, without scrolling the site's page (scrollIntoView would)
    const scroller = log.parentElement;
    if (scroller && !item.nextElementSibling) scroller.scrollTop = scroller.scrollHeight;
  }

  /** The assistant's controls: "talk to a person" while it holds the chat, Ja/Nein under its latest question. */
  function showBotControls() {
    human.hidden = !botHolding || Boolean(ended);
    const asking = !human.hidden && Boolean(lastBot?.bot?.question);
    if (asking && helped.hidden) {
      helped.hidden = false;
      const scroller = log.parentElement; // the buttons under the newest question, in view
      if (scroller) scroller.scrollTop = scroller.scrollHeight;
    } else if (!asking) helped.hidden = true;
  }

  function add(m: ChatMessage) {
    if (messages.has(m.id)) return;
    messages.set(m.id, m);
    render(m);
    if (m.bot && (!lastBot || Date.parse(m.at) >= Date.parse(lastBot.at))) {
      lastBot = m;
      if (m.bot.handover || !m.bot.question) botHolding = false;
      showBotControls();
      showStatus();
    }
    if (m.from !== 'visitor') {
      typing.textContent = '';
      if (!lastAgent || Date.parse(m.at) >= Date.parse(lastAgent.at)) lastAgent = m;
      if (m.from === 'agent' && (!answeredAt || Date.parse(m.at) >= Date.parse(answeredAt))) {
        answeredAt = m.at;
        for (const other of messages.values()) if (other.from === 'visitor') render(other);
      }
      if (ctx.seen()) markRead();
      else if (Date.parse(m.at) > Date.parse(reportedRead) && !m.readByVisitor) ctx.unseen();
    }
  }

  function remove(id: string) {
    messages.delete(id);
    items.get(id)?.remove();
    items.delete(id);
  }

  function showStatus() {
    const text = ended
      ? t(ended === 'inactivity' ? 'endedInactivity' : ended === 'self_served' ? 'endedSelfServed' : 'ended')
      : accepted
        ? t('accepted', { name: agentName || t('team') })
        : botHolding
          ? t('botWorking')
          : queue || t('waiting');
    if (status.textContent !== text) status.textContent = text;
  }

  function markRead() {
    let newest = reportedRead;
    for (const m of messages.values()) if (m.from !== 'visitor') newest = later(newest, m.at);
    if (newest === reportedRead || ended) return;
    reportedRead = newest;
    api.read(conversationId, token, newest).catch(() => undefined);
  }

  function end(reason: string) {
    if (ended) return;
    ended = reason;
    stream.close();
    typing.textContent = '';
    connection.textContent = '';
    composer.hidden = true;
    endButton.hidden = true;
    showBotControls();
    newChat.hidden = false;
    showStatus();
    ctx.ended();
  }

  function apply(history: History) {
    accepted = history.accepted;
    agentName = history.agentName;
    botHolding = history.botHolding === true;
    for (const m of history.messages) {
      add(m);
      if (m.from !== 'visitor' && m.readByVisitor) reportedRead = later(reportedRead, m.at);
    }
    showBotControls();
    showStatus();
    if (history.ended) end(history.endReason ?? 'agent');
  }

  async function reload() {
    try {
      apply(await api.history(conversationId, token));
    } catch (err) {
      if (err instanceof ApiError && (err.status === 401 || err.status === 403 || err.status === 404)) ctx.gone();
    }
  }

  const stream = openChatStream(() => api.eventsUrl(conversationId, token, lastAgent?.id), {
    opened() {
      connection.textContent = '';
      void reload();
    },
    down() {
      if (!ended) connection.textContent = t('reconnecting');
    },
    events: {
      message: (data) => add(data as ChatMessage),
      typing(data) {
        typing.textContent = t('typing', { name: String(data.name || agentName || t('team')) });
        clearTimeout(typingTimer);
        typingTimer = setTimeout(() => {
          typing.textContent = '';
        }, TYPING_SHOWN_MS);
      },
      queue(data) {
        const wait = data.expectedWaitSeconds;
        queue =
          typeof wait === 'number' && wait > 0
            ? t('queue', { position: Number(data.position), minutes: Math.max(1, Math.ceil(wait / 60)) })
            : t('queueOnly', { position: Number(data.position) });
        showStatus();
      },
      accepted(data) {
        accepted = true;
        agentName = (data.agentName as string | null) ?? agentName;
        showStatus();
      },
      read(data) {
        reportedRead = later(reportedRead, String(data.upTo)); // read in another tab of this visitor
      },
      ended: (data) => end(String(data.reason)),
    },
  });

  composer.addEventListener('submit', async (event) => {
    event.preventDefault();
    const text = input.value.trim();
    if (!text || ended) return;
    sendError.textContent = '';
    const temp: ChatMessage = { id: `pending-${(pending += 1)}`, from: 'visitor', text, at: new Date().toISOString(), authorName: null };
    add(temp);
    input.value = '';
    try {
      const sent = await api.send(conversationId, token, text);
      remove(temp.id);
      add({ ...temp, id: sent.id, at: sent.at });
    } catch (err) {
      remove(temp.id);
      input.value = text;
      sendError.textContent = (err instanceof ApiError && err.message) || t('failed');
      if (err instanceof ApiError && err.status === 409) void reload();
    }
  });
  input.addEventListener('keydown', (event) => {
    if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      composer.requestSubmit();
    }
  });
  input.addEventListener('input', () => {
    if (ended || Date.now() - lastTyping < TYPING_EVERY_MS) return;
    lastTyping = Date.now();
    api.typing(conversationId, token).catch(() => undefined);
  });
  endButton.addEventListener('click', async () => {
    try {
      await api.end(conversationId, token);
      end('customer');
      newChat.focus();
    } catch (err) {
      sendError.textContent = (err instanceof ApiError && err.message) || t('failed');
    }
  });
  transcriptToggle.addEventListener('click', () => {
    transcript.hidden = !transcript.hidden;
    transcriptToggle.setAttribute('aria-expanded', String(!transcript.hidden));
    if (!transcript.hidden) email.focus();
  });
  transcript.addEventListener('submit', async (event) => {
    event.preventDefault();
    try {
      await api.transcript(conversationId, token, email.value.trim());
      transcriptStatus.textContent = t('transcriptSent');
    } catch (err) {
      transcriptStatus.textContent = (err instanceof ApiError && err.message) || t('failed');
    }
  });
  newChat.addEventListener('click', () => ctx.newChat());
  const answerBot = async (answer: BotAnswer) => {
    sendError.textContent = '';
    try {
      await api.bot(conversationId, token, answer);
      botHolding = false;
      showBotControls();
      showStatus();
      input.focus();
      void reload(); // the bot's last word, and the ended state after "yes"
    } catch (err) {
      sendError.textContent = (err instanceof ApiError && err.message) || t('failed');
      if (err instanceof ApiError && err.status === 409) void reload();
    }
  };
  yes.addEventListener('click', () => void answerBot('yes'));
  no.addEventListener('click', () => void answerBot('no'));
  human.addEventListener('click', () => void answerBot('human'));

  showStatus();
  void reload();
  return {
    body: [status, connection, log, helped, typing, newChat],
    footer: [sendError, human, composer, h('div', { class: 'actions' }, endButton, transcriptToggle), transcript],
    focus: () => (ended ? newChat : input).focus(),
    seen: markRead,
    close: () => stream.close(),
  };
}
