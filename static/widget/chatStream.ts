/**
 * The chat's live events (SSE). The browser reconnects on its own after a dropped connection and sends
 * Last-Event-ID, so the server resumes after the last message it delivered. When the browser gives up (the
 * server refused, or the network stayed away), the widget opens a new stream with a growing pause (1 s … 30 s),
 * at once when the browser reports it is online again, naming the newest message it has (lastEventId). Every opened stream calls `opened`, where the widget
 * reloads the history: a message that fell between two streams arrives that way, and messages are kept by id,
 * so one that comes twice is shown once.
 */
export type StreamHandlers = {
  opened(): void;
  down(): void;
  events: Record<string, (data: Record<string, unknown>) => void>;
};

/** `url` is asked at each (re)connection, so a new stream resumes after the newest message the widget has. */
export function openChatStream(url: () => string, handlers: StreamHandlers): { close(): void } {
  let source: EventSource | null = null;
  let pause = 1000;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let closed = false;

  const connect = () => {
    clearTimeout(timer);
    if (closed) return;
    source?.close();
    const es = new EventSource(url());
    source = es;
    es.onopen = () => {
      pause = 1000;
      handlers.opened();
    };
    es.onerror = () => {
      handlers.down();
      if (es.readyState !== EventSource.CLOSED) return; // the browser retries by itself
      timer = setTimeout(connect, pause);
      pause = Math.min(pause * 2, 30_000);
    };
    for (const [name, handle] of Object.entries(handlers.events)) {
      es.addEventListener(name, (event) => {
        try {
          handle(JSON.parse((event as MessageEvent<string>).data));
        } catch {
          // a malformed event is skipped; the next history reload covers it
        }
      });
    }
  };
  const online = () => {
    if (source?.readyState === EventSource.CLOSED) connect();
  };
  window.addEventListener('online', online);
  connect();
  return {
    close() {
      closed = true;
      clearTimeout(timer);
      source?.close();
      window.removeEventListener('online', online);
    },
  };
}
