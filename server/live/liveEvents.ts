/** Live events over Redis pub/sub, so every web process can tell its open consoles what changed. */
import { EventEmitter } from 'node:events';
import type { Redis } from 'ioredis';
import type { LiveEvent } from '../domain/effects';

export type LiveHub = {
  publish(event: LiveEvent): Promise<void>;
  subscribe(listener: (event: LiveEvent) => void): () => void;
  close(): Promise<void>;
};

export async function createLiveHub(publisher: Redis, subscriber: Redis, prefix: string): Promise<LiveHub> {
  const channel = `${prefix}:live`;
  const local = new EventEmitter();
  local.setMaxListeners(0);
  subscriber.on('message', (ch: string, payload: string) => {
    if (ch !== channel) return;
    try {
      local.emit('event', JSON.parse(payload) as LiveEvent);
    } catch {
      // A foreign or malformed payload on our channel is ignored.
    }
  });
  await subscriber.subscribe(channel);
  return {
    async publish(event) {
      await publisher.publish(channel, JSON.stringify(event));
    },
    subscribe(listener) {
      local.on('event', listener);
      return () => local.off('event', listener);
    },
    async close() {
      local.removeAllListeners();
      await subscriber.unsubscribe(channel).catch(() => undefined);
    },
  };
}
