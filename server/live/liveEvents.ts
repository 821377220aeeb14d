/** Live events over Redis pub/sub, so every web process can tell its open consoles what changed. */
import { EventEmitter } from 'node:events';
import type { Redis } from 'ioredis';
import type { LiveEvent } from '../domain/effects';

export type LiveHub = {
  publish(event: LiveEvent): Promise<void>;
  subscribe(listener: (event: LiveEvent) => void): () => void;
  /** Whether events published now reach this process (its subscription is active). */
  listening(): boolean;
  /** Called when events may have been missed: the subscription's connection closed, or came back. */
  onGap(listener: () => void): void;
  close(): Promise<void>;
};

const SUBSCRIBE_WAIT_MS = 2000;

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
  // Events published while the subscription is not active are lost. It is active from Redis's answer to SUBSCRIBE
  // until the connection closes; ioredis connects again and subscribes again, and the answer is waited for here too
  // (its 'ready' comes before Redis has taken the SUBSCRIBE). Each change either way is a gap.
  let active = false;
  const subscribe = () =>
    subscriber.subscribe(channel).then(
      () => {
        active = true;
        local.emit('gap');
      },
      () => undefined,
    );
  subscriber.on('close', () => {
    active = false;
    local.emit('gap');
  });
  subscriber.on('ready', () => {
    active = false;
    local.emit('gap');
    void subscribe();
  });
  // ioredis subscribes once Redis answers; wait for that only briefly, so a web process started while Redis is down
  // still comes up and /healthz can say so.
  await Promise.race([subscribe(), new Promise((resolve) => setTimeout(resolve, SUBSCRIBE_WAIT_MS).unref())]);
  return {
    async publish(event) {
      await publisher.publish(channel, JSON.stringify(event));
    },
    subscribe(listener) {
      local.on('event', listener);
      return () => local.off('event', listener);
    },
    listening: () => active && subscriber.status === 'ready',
    onGap(listener) {
      local.on('gap', listener);
    },
    async close() {
      active = false;
      local.removeAllListeners();
      // A command to an unreachable Redis would wait forever; the caller disconnects it anyway.
      if (subscriber.status === 'ready') await subscriber.unsubscribe(channel).catch(() => undefined);
    },
  };
}
