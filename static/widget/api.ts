/** The Widget HTTP API (/widget/v1, see README "Embedding the chat widget"): JSON over fetch, no cookies. */
import type { Lang } from './texts';

export type PrechatField = 'off' | 'optional' | 'required';
export type SiteConfig = {
  siteId: string;
  name: string;
  colour: string;
  lang: Lang;
  texts: { title?: string; greeting?: string; offline?: string; consent?: string };
  prechat: { name: PrechatField; email: PrechatField };
  /** bot first: the assistant's disclosure, shown on the pre-chat form */
  bot?: { disclosure: string } | null;
};
export type Availability = {
  open: boolean;
  online: boolean;
  invite: boolean;
  expectedWaitSeconds: number | null;
  queueLength: number;
  inviteAfterSeconds: number | null;
};
export type Invitation = { invite: true; invitationId: string; expiresAt: string } | { invite: false; reason: string };
/** An automatic reply's parts (bot first): its label, the articles it offers, its question; `handover`: a person takes over. */
export type BotContent = { label: string; intro: string; articles: { id: string; title: string; url: string }[]; question: string | null; handover: boolean };
export type ChatMessage = {
  id: string;
  from: 'visitor' | 'agent' | 'bot';
  text: string;
  at: string;
  authorName: string | null;
  readByVisitor?: boolean;
  bot?: BotContent | null;
};
export type BotAnswer = 'yes' | 'no' | 'human';
export type History = {
  caseNumber: string;
  ended: boolean;
  endReason: string | null;
  accepted: boolean;
  agentName: string | null;
  /** the automatic assistant still answers: "talk to a person" is offered */
  botHolding?: boolean;
  messages: ChatMessage[];
};
export type StartedChat = { conversationId: string; caseNumber: string; visitorToken: string };
/** The site's time zone and the local days a callback window may fall on (see callbackForm.ts). */
export type CallbackOptions = { timeZone: string; firstDay: string; lastDay: string; minutes: number };

/** An answer other than 2xx; `message` is the server's error text (in the visitor's language) when it sent one. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export type Api = ReturnType<typeof createApi>;

export function createApi(base: string, siteId: string, lang: Lang) {
  const site = `${base}/widget/v1/sites/${encodeURIComponent(siteId)}`;
  const chat = (id: string) => `${base}/widget/v1/conversations/${encodeURIComponent(id)}`;

  async function call<T>(method: string, url: string, body?: object, token?: string): Promise<T> {
    const headers: Record<string, string> = {};
    if (body) headers['Content-Type'] = 'application/json';
    if (token) headers.Authorization = `Bearer ${token}`;
    const res = await fetch(url, { method, headers, body: body && JSON.stringify(body), credentials: 'omit', mode: 'cors' });
    const data = res.status === 204 ? null : await res.json().catch(() => null);
    if (!res.ok) throw new ApiError(res.status, (data as { error?: string } | null)?.error ?? '');
    return data as T;
  }
  const query = (params: Record<string, string>) => new URLSearchParams({ ...params, lang }).toString();

  return {
    config: () => call<SiteConfig>('GET', `${site}/config?${query({})}`),
    availability: (visitorId: string, page: string) => call<Availability>('GET', `${site}/availability?${query({ visitorId, page })}`),
    invite: (visitorId: string, page: string) => call<Invitation>('POST', `${site}/invitations`, { visitorId, page }),
    start: (body: { visitorId: string; text: string; consent: true; name?: string; email?: string; page: string; invitationId?: string }) =>
      call<StartedChat>('POST', `${site}/conversations`, { ...body, lang }),
    offline: (body: { email: string; text: string; consent: true; name?: string }) =>
      call<{ caseNumber: string }>('POST', `${site}/offline`, { ...body, lang }),
    callbackOptions: () => call<CallbackOptions>('GET', `${site}/callbacks/options?${query({})}`),
    callback: (body: { phone: string; name: string; date: string; from: string; to: string; consent: true }) =>
      call<{ caseNumber: string; dueAt: string }>('POST', `${site}/callbacks`, { ...body, lang }),
    history: (id: string, token: string) => call<History>('GET', `${chat(id)}/messages`, undefined, token),
    send: (id: string, token: string, text: string) => call<{ id: string; at: string }>('POST', `${chat(id)}/messages`, { text }, token),
    typing: (id: string, token: string) => call<null>('POST', `${chat(id)}/typing`, {}, token),
    read: (id: string, token: string, upTo: string) => call<null>('POST', `${chat(id)}/read`, { upTo }, token),
    end: (id: string, token: string) => call<{ ended: true }>('POST', `${chat(id)}/end`, {}, token),
    bot: (id: string, token: string, answer: BotAnswer) => call<{ outcome: string }>('POST', `${chat(id)}/bot`, { answer }, token),
    transcript: (id: string, token: string, email: string) => call<null>('POST', `${chat(id)}/transcript`, { email }, token),
    /** the stream; `lastEventId`: the newest agent message the widget has, the stream continues after it */
    eventsUrl: (id: string, token: string, lastEventId?: string) =>
      `${chat(id)}/events?${new URLSearchParams(lastEventId ? { token, lastEventId } : { token }).toString()}`,
  };
}
