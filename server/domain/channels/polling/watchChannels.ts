/**
 * Channel watchers: one standing connection per active channel whose connector can watch (e-mail: IMAP
 * IDLE); when the remote side announces new items, the channel is polled at once. A dropped connection is
 * opened again after a pause; the scheduled poll stays the fallback for servers that cannot watch and for
 * any moment the connection is down.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Connectors } from '../../../../connectors/types';
import type { SecretBox } from '../../../crypto/secretBox';
import type { Db } from '../../../db/client';
import { listActiveChannelIds } from '../../../db/repositories/channelHealth.repo';
import type { Logger } from '../../../logger';
import { loadChannelForSend } from '../loadChannelForSend';

export type WatchDeps = { db: Db; secretBox: SecretBox; logger: Logger; connectors: Connectors; pollNow(channelId: string): Promise<void> };

const REFRESH_MS = 60_000;
const RECONNECT_MS = 30_000;

export function startChannelWatchers(deps: WatchDeps, refreshMs = REFRESH_MS): { close(): Promise<void> } {
  const watchers = new Map<string, { stop: AbortController; done: Promise<void> }>();
  let closed = false;

  async function watch(channelId: string, stop: AbortSignal) {
    while (!stop.aborted) {
      try {
        const channel = await loadChannelForSend(deps.db, deps.secretBox, channelId);
        const connector = channel && deps.connectors.of(channel.kind);
        if (!channel || !connector?.watch || stop.aborted) return;
        await connector.watch(
          channel,
          () => {
            deps.pollNow(channelId).catch((err: Error) => deps.logger.warn({ channelId, err: err.message }, 'could not trigger a poll on new items'));
          },
          stop,
        );
      } catch (err) {
        deps.logger.debug({ channelId, err: (err as Error).message }, 'watch connection failed; the scheduled poll covers the gap');
      }
      await sleep(RECONNECT_MS, undefined, { signal: stop, ref: false }).catch(() => undefined); // cut short by stop
    }
  }

  async function refresh() {
    const watching = deps.connectors.all.filter((c) => c.watch);
    const active = new Set((await Promise.all(watching.map((c) => listActiveChannelIds(deps.db, c.kind)))).flat().map((c) => c.id));
    for (const [id, w] of watchers) {
      if (active.has(id)) continue;
      w.stop.abort();
      watchers.delete(id);
    }
    for (const id of active) {
      if (closed || watchers.has(id)) continue;
      const stop = new AbortController();
      watchers.set(id, { stop, done: watch(id, stop.signal) });
    }
  }

  const tick = () => refresh().catch((err: Error) => deps.logger.warn({ err: err.message }, 'channel watch refresh failed'));
  void tick();
  const timer = setInterval(tick, refreshMs);
  timer.unref();
  return {
    async close() {
      closed = true;
      clearInterval(timer);
      for (const w of watchers.values()) w.stop.abort();
      await Promise.all([...watchers.values()].map((w) => w.done));
      watchers.clear();
    },
  };
}
