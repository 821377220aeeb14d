/** The visitor streams' bookkeeping: a client gone before its stream opens is never registered. */
import { EventEmitter } from 'node:events';
import type { Response } from 'express';
import type { ChatSession } from '../../../server/db/repositories/chatSessions.repo';
import type { Db } from '../../../server/db/client';
import type { LiveHub } from '../../../server/live/liveEvents';
import type { Logger } from '../../../server/logger';
import { createVisitorStreams } from '../../../server/live/visitorStreams';

const session = {
  conversationId: '6f1c2b7e-3d4a-4b5c-8d9e-0f1a2b3c4d5e',
  siteId: 's',
  endedAt: new Date(),
  endReason: 'customer',
  acceptedAt: null,
} as unknown as ChatSession;
const live = { subscribe: jest.fn(() => () => undefined) } as unknown as LiveHub;
const streams = () => createVisitorStreams({ db: {} as Db, live, logger: { warn: jest.fn() } as unknown as Logger });

/** A response whose socket may be gone; `close` is emitted as Node does when the client leaves. */
function fakeResponse(gone: boolean) {
  const res = Object.assign(new EventEmitter(), {
    destroyed: gone,
    writableEnded: false,
    req: { socket: { destroyed: gone } },
    writeHead: jest.fn(),
    write: jest.fn(),
  });
  return res as unknown as Response & EventEmitter;
}

test('when the client left during the lookups before the stream opens, then nothing is registered', () => {
  const s = streams();
  const res = fakeResponse(true);
  expect(s.open(res, session, null)).toBe(true);
  expect(s.size).toBe(0);
  expect(res.listenerCount('close')).toBe(0);
  expect(live.subscribe).not.toHaveBeenCalled();
});

test('when a registered client leaves, then its stream is gone', () => {
  const s = streams();
  const res = fakeResponse(false);
  expect(s.open(res, session, null)).toBe(true);
  expect(s.size).toBe(1);
  res.emit('close');
  expect(s.size).toBe(0);
});
