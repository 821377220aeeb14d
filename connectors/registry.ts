/** The connector of each channel kind; the composition root (server/services.ts, the CLI) hands it to whoever asks. */
import type { ChannelKind } from '../server/db/schema';
import { apiConnector } from './api/apiConnector';
import type { Connector, Connectors } from './types';
import { xConnector } from './x/xConnector';
import { whatsappConnector } from './whatsapp/whatsappConnector';
import { telegramConnector } from './telegram/telegramConnector';
import { emailConnector } from './email/emailConnector';
import { facebookConnector, instagramConnector } from './meta/metaConnector';
import { webchatConnector } from './webchat/webchatConnector';

const CONNECTORS: Partial<Record<ChannelKind, Connector>> = {
  api: apiConnector,
  x: xConnector,
  whatsapp: whatsappConnector,
  telegram: telegramConnector,
  email: emailConnector,
  facebook: facebookConnector,
  instagram: instagramConnector,
  webchat: webchatConnector,
};

export const connectors: Connectors = {
  of: (kind: ChannelKind) => CONNECTORS[kind],
  all: Object.values(CONNECTORS),
};
