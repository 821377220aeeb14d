/** The set-up of a test file that polls a fake Telegram Bot API: one app with workers, a fresh fake per test. */
import { startFakeTelegram, type FakeTelegram } from '../fakes/fakeTelegramServer';
import type { PollDeps } from '../../server/domain/channels/polling/pollChannel';
import { startTestApp, type TestApp } from './testApp';

export type TelegramPollingEnv = { app: TestApp; tg: FakeTelegram; deps: PollDeps };

export function telegramPollingApp(): TelegramPollingEnv {
  const env = {} as TelegramPollingEnv;
  beforeAll(async () => {
    env.app = await startTestApp({ workers: true });
    env.deps = env.app.services;
  });
  beforeEach(async () => {
    env.tg = await startFakeTelegram();
  });
  afterEach(async () => {
    await env.tg.close();
  });
  afterAll(async () => {
    await env.app.stop();
  });
  return env;
}
