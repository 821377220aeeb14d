/** What survives navigation within the site: the visitor's id and their open chat, per site, in localStorage. */
export type Stored = {
  visitorId: string;
  conversationId?: string;
  token?: string;
  caseNumber?: string;
  email?: string;
  /** the panel was open on the previous page */
  open?: boolean;
  invitationId?: string;
  invitationExpiresAt?: string;
  /** the visitor said "no, thanks" (epoch ms): no new invitation for half an hour */
  declinedAt?: number;
};

function randomId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

/** Storage may be disabled (private mode, blocked cookies): the widget then works for the current page only. */
export function createStore(siteId: string) {
  const key = `replyline-chat:${siteId}`;
  let state: Stored = { visitorId: randomId() };
  try {
    const saved = JSON.parse(localStorage.getItem(key) ?? 'null') as Stored | null;
    if (saved && typeof saved.visitorId === 'string' && /^[0-9a-f]{32}$/.test(saved.visitorId)) state = saved;
  } catch {
    // unreadable or disabled: start afresh
  }
  const save = () => {
    try {
      localStorage.setItem(key, JSON.stringify(state));
    } catch {
      // disabled or full: the chat lasts as long as this page
    }
  };
  save();
  return {
    get: (): Readonly<Stored> => state,
    set(change: Partial<Stored>) {
      state = { ...state, ...change };
      save();
    },
    forgetChat() {
      state = { visitorId: state.visitorId, email: state.email };
      save();
    },
  };
}
export type Store = ReturnType<typeof createStore>;
