/** Live events over Redis pub/sub, so every web process can tell its open consoles what changed. */
import { EventEmitter } from 'node:events';
import type { Redis } from 'ioredis';
import type { LiveEvent } from '../domain/effects';

export type LiveHub = {
  publish(event: LiveEvent): Promise<void>;
  subscribe(listener: (event: LiveEvent) => void): () => void;
  /** Whether events published now reach this process (its subscription's connection is up). */
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
  // While the connection is down events are lost; ioredis subscribes again once it is back.
  subscriber.on('close', () => local.emit('gap'));
  subscriber.on('ready', () => local.emit('gap'));
  // ioredis subscribes (and re-subscribes after every reconnect) once Redis answers; wait for that only
  // briefly, so a web process started while Redis is down still comes up and /healthz can say so.
  const subscribed = subscriber.subscribe(channel).catch(() => undefined);
  await Promise.race([subscribed, new Promise((resolve) => setTimeout(resolve, SUBSCRIBE_WAIT_MS).unref())]);
  return {
    async publish(event) {
      await publisher.publish(channel, JSON.stringify(event));
    },
    subscribe(listener) {
      local.on('event', listener);
      return () => local.off('event', listener);
    },
    listening: () => subscriber.status === 'ready',
    onGap(listener) {
      local.on('gap', listener);
    },
    async close() {
      local.removeAllListeners();
      // A command to an unreachable Redis would wait forever; the caller disconnects it anyway.
      if (subscriber.status === 'ready') await subscriber.unsubscribe(channel).catch(() => undefined);
    },
  };
}
