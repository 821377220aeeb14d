/**
 * twitter-api-v2 clients for one channel. The library hard-codes https://api.x.com/2/, so a plugin
 * rewrites every request to the channel's base URL (a company proxy, or a fake server in tests). The
 * base URL passes the outbound-target guard, and the guard's agents (plain http for http:// servers)
 * check every address they connect to. The library picks a JSON body only for URL paths that start with
 * /2/ and form-encodes the rest, so requests to a base URL with another path are forced to JSON (every
 * X API v2 endpoint we call takes JSON).
 */
import type { ITwitterApiClientPlugin, TwitterApi, TwitterApiReadOnly } from 'twitter-api-v2';
import { outbound } from '../../server/net/outboundTarget';
import type { XCredentials, XSettings } from './settings';
import { hasUserContext } from './settings';

const LIBRARY_BASE = 'https://api.x.com/2/';
const REQUEST_TIMEOUT_MS = 15_000;

/** twitter-api-v2, loaded when a channel first talks to X, as the mail libraries are (server/mail/nodemailer.ts says why). */
export const twitterApi = (): typeof import('twitter-api-v2') => require('twitter-api-v2');

export function baseUrlPlugin(apiBaseUrl: string): ITwitterApiClientPlugin {
  const rewrite = (params: { url: string }) => {
    if (params.url.startsWith(LIBRARY_BASE) && apiBaseUrl !== LIBRARY_BASE) params.url = apiBaseUrl + params.url.slice(LIBRARY_BASE.length);
  };
  return {
    onBeforeRequestConfig({ params }) {
      if (params.url.startsWith(LIBRARY_BASE)) params.forceBodyMode ??= 'json';
      rewrite(params);
      params.timeout ??= REQUEST_TIMEOUT_MS;
    },
    onBeforeStreamRequestConfig({ params }) {
      rewrite(params);
    },
  };
}

/** Throws OutboundTargetRefused (a Permanent error) when the base URL points inside. */
function settingsFor(apiBaseUrl: string) {
  const guard = outbound();
  return {
    plugins: [baseUrlPlugin(apiBaseUrl)],
    httpAgent: guard.agentFor(guard.checkUrl(apiBaseUrl)),
  };
}

/** App-only client (bearer token) for reading. */
export function readClient(settings: XSettings, credentials: XCredentials): TwitterApiReadOnly {
  return new (twitterApi().TwitterApi)(credentials.bearerToken, settingsFor(settings.apiBaseUrl)).readOnly;
}

/** User-context client (OAuth 1.0a) for posting, or null when the channel has no user tokens. */
export function writeClient(settings: XSettings, credentials: XCredentials): TwitterApi | null {
  if (!hasUserContext(credentials)) return null;
  return new (twitterApi().TwitterApi)(
    {
      appKey: credentials.appKey,
      appSecret: credentials.appSecret,
      accessToken: credentials.accessToken,
      accessSecret: credentials.accessSecret,
    },
    settingsFor(settings.apiBaseUrl),
  );
}
