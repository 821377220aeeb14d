/** Picks the connector for a channel kind. */
import type { ChannelKind } from '../server/db/schema';
import { apiConnector } from './api/apiConnector';
import type { Connector } from './types';
import { xConnector } from './x/xConnector';
import { whatsappConnector } from './whatsapp/whatsappConnector';
import { telegramConnector } from './telegram/telegramConnector';
import { emailConnector } from './email/emailConnector';

const CONNECTORS: Partial<Record<ChannelKind, Connector>> = { api: apiConnector, x: xConnector, whatsapp: whatsappConnector, telegram: telegramConnector, email: emailConnector };

export function connectorFor(kind: ChannelKind): Connector | undefined {
  return CONNECTORS[kind];
}
