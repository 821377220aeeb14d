/** Picks the connector for a channel kind. */
import type { ChannelKind } from '../server/db/schema';
import { apiConnector } from './api/apiConnector';
import type { Connector } from './types';

const CONNECTORS: Partial<Record<ChannelKind, Connector>> = { api: apiConnector };

export function connectorFor(kind: ChannelKind): Connector | undefined {
  return CONNECTORS[kind];
}
