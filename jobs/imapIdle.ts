/**
 * IMAP IDLE for e-mail channels: one standing connection per active mailbox; when the server
 * announces new mail (`exists`), the channel is polled at once. The scheduled poll stays the
 * fallback for servers without IDLE and for any moment the connection is down.
 */
import type { ImapFlow } from 'imapflow';
import { imapClientFor } from '../connectors/email/emailConnector';
import type { SecretBox } from '../server/crypto/secretBox';
import type { Db } from '../server/db/client';
import { listActiveChannelIds } from '../server/db/repositories/channelHealth.repo';
import { loadChannelForSend } from '../server/domain/channels/loadChannelForSend';
import type { Logger } from '../server/logger';

export type IdleDeps = { db: Db; secretBox: SecretBox; logger: Logger; pollNow(channelId: string): Promise<void> };

const REFRESH_MS = 60_000;
const RECONNECT_MS = 30_000;

export function startImapIdle(deps: IdleDeps, refreshMs = REFRESH_MS): { close(): Promise<void> } {
  const watchers = new Map<string, { client: ImapFlow | null; stopped: boolean }>();
  let closed = false;

  async function watch(channelId: string, state: { client: ImapFlow | null; stopped: boolean }) {
    while (!state.stopped && !closed) {
      try {
        const channel = await loadChannelForSend(deps.db, deps.secretBox, channelId);
        if (!channel) return;
        const { settings, client } = await imapClientFor(channel);
        state.client = client;
        client.on('error', () => undefined); // the close event below reconnects
        client.on('exists', () => {
          deps.pollNow(channelId).catch((err: Error) => deps.logger.warn({ channelId, err: err.message }, 'could not trigger a poll on new mail'));
        });
        const gone = new Promise<void>((resolve) => client.once('close', () => resolve()));
        await client.connect();
        await client.mailboxOpen(settings.mailbox); // imapflow IDLEs on its own while no command runs
        await gone;
      } catch (err) {
        deps.logger.debug({ channelId, err: (err as Error).message }, 'IMAP IDLE connection failed; the scheduled poll covers the gap');
      }
      state.client = null;
      if (!state.stopped && !closed) await new Promise((r) => setTimeout(r, RECONNECT_MS).unref());
    }
  }

  async function refresh() {
    const active = new Set((await listActiveChannelIds(deps.db, 'email')).map((c) => c.id));
    for (const [id, state] of watchers) {
      if (active.has(id)) continue;
      state.stopped = true;
      await state.client?.logout().catch(() => undefined);
      watchers.delete(id);
    }
    for (const id of active) {
      if (watchers.has(id)) continue;
      const state = { client: null, stopped: false };
      watchers.set(id, state);
      void watch(id, state);
    }
  }

  const tick = () => refresh().catch((err: Error) => deps.logger.warn({ err: err.message }, 'IMAP IDLE refresh failed'));
  void tick();
  const timer = setInterval(tick, refreshMs);
  timer.unref();
  return {
    async close() {
      closed = true;
      clearInterval(timer);
      await Promise.all([...watchers.values()].map(async (w) => {
        w.stopped = true;
        await w.client?.logout().catch(() => w.client?.close());
      }));
      watchers.clear();
    },
  };
}
