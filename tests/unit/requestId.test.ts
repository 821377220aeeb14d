/** The request id reaches the error handler's log line (no database: a bare Express app with our two middlewares). */
import { Writable } from 'node:stream';
import express from 'express';
import request from 'supertest';
import { createLogger } from '../../server/logger';
import { errorHandler } from '../../server/middleware/errors';
import { requestId } from '../../server/middleware/requestId';

function appWithLogs() {
  const logs: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk, _enc, done) {
      for (const line of String(chunk).split('\n').filter(Boolean)) logs.push(JSON.parse(line));
      done();
    },
  });
  const app = express();
  app.use(requestId(createLogger('debug', sink)));
  app.get('/api/boom', () => {
    throw new Error('kaputt');
  });
  app.use(errorHandler());
  return { app, logs };
}

describe('request id in the error handler', () => {
  it('when a handler throws, then the 500 is logged with the request id the caller sent, and the answer names it', async () => {
    const { app, logs } = appWithLogs();
    const res = await request(app).get('/api/boom').set('X-Request-Id', 'caller-trace-0001');
    expect(res.status).toBe(500);
    expect(res.headers['x-request-id']).toBe('caller-trace-0001');
    expect(logs.find((l) => l.msg === 'request failed')).toMatchObject({ reqId: 'caller-trace-0001', level: 50, err: { message: 'kaputt' } });
  });

  it('when the caller sends no id, then the logged id is the one in the response header', async () => {
    const { app, logs } = appWithLogs();
    const res = await request(app).get('/api/boom');
    expect(res.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    expect(logs.find((l) => l.msg === 'request failed')?.reqId).toBe(res.headers['x-request-id']);
  });
});
