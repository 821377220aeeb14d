/** Builds the Express app without listening, so tests can mount it on port 0. */
import type { Server } from 'node:http';
import path from 'node:path';
import express from 'express';
import session from 'express-session';
import helmet from 'helmet';
import { mayUseCopies, requireApiUser, requireSessionUser } from './middleware/auth';
import { csrfProtection } from './middleware/csrf';
import { errorHandler, notFoundHandler } from './middleware/errors';
import { exposeLocale } from './middleware/locale';
import { exposeViewHelpers } from './middleware/viewHelpers';
import { requestId } from './middleware/requestId';
import { createSessionStores, SESSION_COOKIE } from './middleware/sessionStore';
import { rejectUnstorableText } from './middleware/storableText';
import { demoSinkRoutes } from './demo/demoSink.routes';
import { demoGraphSinkRoutes } from './demo/demoGraphSink.routes';
import { DEMO_X_API_PATH, demoXApiRoutes } from './demo/demoXApi.routes';
import { channelRoutes } from './routes/web/channels.routes';
import { WEBHOOK_ENDPOINTS } from './domain/channels/webhooks/webhookEndpoints';
import { signedWebhookRoutes } from './routes/webhooks/signedWebhook.routes';
import { replyWindowRoutes } from './routes/web/replyWindow.routes';
import { commentModerationRoutes } from './routes/web/commentModeration.routes';
import { auditApiRoutes } from './routes/api/audit.routes';
import { reportApiRoutes } from './routes/api/reports.routes';
import { contactApiRoutes } from './routes/api/contacts.routes';
import { contactRoutes } from './routes/web/contacts.routes';
import { conversationApiRoutes } from './routes/api/conversations.routes';
import { taskApiRoutes } from './routes/api/tasks.routes';
import { taskRoutes } from './routes/web/tasks.routes';
import { knowledgeRoutes } from './routes/web/knowledge.routes';
import { knowledgeApiRoutes } from './routes/api/knowledge.routes';
import { helpRoutes } from './routes/web/help.routes';
import { caseStatusRoutes } from './routes/web/caseStatus.routes';
import { cannedResponseApiRoutes } from './routes/api/cannedResponses.routes';
import { notificationApiRoutes } from './routes/api/notifications.routes';
import { ingestRoutes } from './routes/api/ingest.routes';
import { slaApiRoutes } from './routes/api/sla.routes';
import { routingApiRoutes } from './routes/api/routing.routes';
import { channelBotApiRoutes } from './routes/api/channelBot.routes';
import { listeningApiRoutes } from './routes/api/listening.routes';
import { reportSubscriptionApiRoutes } from './routes/api/reportSubscriptions.routes';
import { alertApiRoutes } from './routes/api/alerts.routes';
import { replyApiRoutes } from './routes/api/replies.routes';
import { chatSiteApiRoutes } from './routes/api/chatSites.routes';
import { chatSiteRoutes } from './routes/web/chatSites.routes';
import { approvalRoutes } from './routes/web/approvals.routes';
import { slaViewHelpers } from './presenters/sla.presenter';
import { messageTextViewHelpers } from './presenters/messageText.presenter';
import { nameViewHelpers } from './presenters/names.presenter';
import { slaWebRoutes } from './routes/web/sla.routes';
import { healthRoutes } from './routes/health.routes';
import { widgetScriptRoutes } from './routes/widgetScript.routes';
import { auditRoutes } from './routes/web/audit.routes';
import { reportRoutes } from './routes/web/reports.routes';
import { conversationRoutes } from './routes/web/conversation.routes';
import { replyDeliveryRoutes } from './routes/web/replyDelivery.routes';
import { eventRoutes } from './routes/web/events.routes';
import { inboxRoutes } from './routes/web/inbox.routes';
import { conversationActionRoutes } from './routes/web/conversationActions.routes';
import { chatRoutes } from './routes/web/chat.routes';
import { noteRoutes } from './routes/web/notes.routes';
import { callbackRoutes } from './routes/web/callbacks.routes';
import { presenceRoutes } from './routes/web/presence.routes';
import { cannedResponseRoutes } from './routes/web/cannedResponses.routes';
import { notificationRoutes } from './routes/web/notifications.routes';
import { savedViewRoutes } from './routes/web/savedViews.routes';
import { sessionRoutes } from './routes/web/session.routes';
import { passwordLinkRoutes } from './routes/web/passwordLink.routes';
import { userRoutes } from './routes/web/users.routes';
import { routingRoutes } from './routes/web/routing.routes';
import { alertSettingsRoutes } from './routes/web/alertSettings.routes';
import { listeningQueryRoutes } from './routes/web/listeningQueries.routes';
import { monitoringDashboardRoutes } from './routes/web/monitoringDashboard.routes';
import { monitoringRoutes } from './routes/web/monitoring.routes';
import { attachmentRoutes } from './routes/web/attachments.routes';
import { widgetRoutes } from './routes/widget.routes';
import type { Services } from './services';
import { createViewEngine } from './viewEngine';

const ROOT = path.join(__dirname, '..');
const VENDOR_FILES: Record<string, string> = {
  'htmx.min.js': 'node_modules/htmx.org/dist/htmx.min.js',
  'htmx-sse.js': 'node_modules/htmx-ext-sse/dist/sse.min.js',
  'chart.umd.js': 'node_modules/chart.js/dist/chart.umd.js',
};

/**
 * express-session over PostgreSQL, twice: page reads may take the session from the process's copy
 * (middleware/accessCopies.ts, `mayUseCopies`), every other request reads it fresh. Both keep the copies current and say when a
 * session was saved or ended.
 */
function consoleSessions({ config, pool, access, dispatcher }: Services): express.RequestHandler {
  const changed = async (userId: string) => {
    const event = { type: 'access', userId } as const;
    await dispatcher.publish(event).catch((err) => dispatcher.onDispatchError(err, event));
  };
  const stores = createSessionStores(session, pool, { copies: access, changed });
  const withStore = (store: session.Store) =>
    session({
      name: SESSION_COOKIE,
      secret: config.sessionSecret,
      store,
      resave: false,
      saveUninitialized: false,
      rolling: true,
      cookie: { httpOnly: true, sameSite: 'lax', secure: config.env === 'production', maxAge: 12 * 3600_000 },
    });
  const reads = withStore(stores.reads);
  const fresh = withStore(stores.fresh);
  return (req, res, next) => (mayUseCopies(req) ? reads : fresh)(req, res, next);
}

export function createApp(services: Services): express.Express {
  const { config, db, logger } = services;
  const app = express();
  const views = path.join(ROOT, 'views');
  app.set('views', views);
  app.set('view engine', 'ejs');
  // EJS templates compiled once each, without `with` (viewEngine.ts). Includes name their file from the views
  // folder (`include('/partials/head')`), so none is looked for on the disk. EJS drops the templates' indentation
  // (a third of the inbox page's bytes); text inside <pre> and <textarea> comes from interpolations, never from
  // template lines, so it is kept as it is.
  app.engine('ejs', createViewEngine(views, { rmWhitespace: true }));
  // Express keeps each view's path (it does so only in production by default). Templates change only with a restart.
  app.set('view cache', true);
  // Pages and API answers are never cached (no-store below), so an ETag (a SHA-1 over every body) buys nothing.
  app.set('etag', false);
  Object.assign(app.locals, slaViewHelpers); // SLA fields of posts and conversations in views
  Object.assign(app.locals, nameViewHelpers); // safeName(): names with bidi controls neutralised
  Object.assign(app.locals, messageTextViewHelpers); // linkedText(): a message escaped, its web addresses clickable
  app.set('trust proxy', 'loopback');
  app.disable('x-powered-by');
  app.use(requestId(logger));
  app.use(
    helmet({
      contentSecurityPolicy: {
        directives: {
          defaultSrc: ["'self'"],
          scriptSrc: ["'self'"],
          styleSrc: ["'self'"],
          imgSrc: ["'self'", 'data:', 'https:'],
          connectSrc: ["'self'"],
          formAction: ["'self'"],
          frameAncestors: ["'none'"],
          objectSrc: ["'none'"],
          // Behind TLS in production; a local console on plain http must not be upgraded to https.
          upgradeInsecureRequests: config.env === 'production' ? [] : null,
        },
      },
      strictTransportSecurity: config.env === 'production',
    }),
  );

  app.use(healthRoutes(services));
  // Channel webhooks: signed by the sender over the raw body, so no session, CSRF or JSON parser here.
  for (const endpoint of WEBHOOK_ENDPOINTS) app.use(endpoint.path, signedWebhookRoutes(services, endpoint));
  if (config.env !== 'production') app.use(demoSinkRoutes(services), demoGraphSinkRoutes(services));
  if (config.env !== 'production') app.use(DEMO_X_API_PATH, demoXApiRoutes()); // the demo X channel's fake source
  app.use('/static', express.static(path.join(ROOT, 'static'), { maxAge: '1h' }));
  for (const [name, file] of Object.entries(VENDOR_FILES)) {
    app.get(`/vendor/${name}`, (_req, res) => res.sendFile(path.join(ROOT, file), { maxAge: '1d' }));
  }
  app.use(widgetScriptRoutes()); // the website chat widget: one cacheable script for any site

  // Everything below answers with customer data, a user's session or an export: no browser or proxy keeps a copy.
  app.use((_req, res, next) => {
    res.set('Cache-Control', 'no-store');
    next();
  });

  // The website chat's public API: no session, CORS for each chat site's own origins, visitor tokens.
  app.use('/widget/v1', widgetRoutes(services));

  // The JSON API: bearer tokens, no cookies, no CSRF.
  const api = express.Router();
  api.use(ingestRoutes(services)); // reads its bodies itself: a batch of posts may be larger than 1 MB
  api.use(express.json({ limit: '1mb' }), rejectUnstorableText);
  api.use(
    requireApiUser(db),
    conversationApiRoutes(services),
    replyApiRoutes(services), // reply approval: the pending replies, approve, reject
    taskApiRoutes(services), // multi-step cases: tasks on conversations, a person's tasks
    cannedResponseApiRoutes(services),
    notificationApiRoutes(services),
    auditApiRoutes(services),
    routingApiRoutes(services), // before the SLA routes: PATCH /channels/:id with `routing` is routing's
    contactApiRoutes(services), // before slaApiRoutes: PATCH /channels/:id with retentionDays is answered here
    channelBotApiRoutes(services), // before slaApiRoutes: PATCH /channels/:id with `bot` is the bot's (036)
    slaApiRoutes(services),
    reportApiRoutes(services),
    listeningApiRoutes(services),
    alertApiRoutes(services),
    reportSubscriptionApiRoutes(services),
    knowledgeApiRoutes(services), // knowledge base articles and their search
    chatSiteApiRoutes(services), // website chat: chat sites (managers, admins)
  );
  app.use('/api/v1', api);

  // The console: sessions, CSRF, the user's language.
  app.use(consoleSessions(services));
  app.use(express.urlencoded({ extended: false, limit: '200kb' }));
  app.use(exposeLocale, csrfProtection({ secret: config.sessionSecret, secureCookie: config.env === 'production' }), rejectUnstorableText);
  app.use(sessionRoutes(services));
  app.use(passwordLinkRoutes(services)); // invitation and password-reset links: no session yet
  app.use(helpRoutes(services), caseStatusRoutes(services)); // public: a chat site's help pages, the customer's case status
  const consoleRoutes = express.Router();
  consoleRoutes.use(requireSessionUser(db, services.access), exposeLocale, exposeViewHelpers);
  consoleRoutes.use(inboxRoutes(services), conversationRoutes(services), auditRoutes(services), eventRoutes(services), reportRoutes(services));
  consoleRoutes.use(slaWebRoutes(services));
  consoleRoutes.use(channelRoutes(services)); // channels: health, pause/resume, interval, tracked searches, X accounts
  consoleRoutes.use(replyWindowRoutes(services));
  consoleRoutes.use(commentModerationRoutes(services));
  consoleRoutes.use(replyDeliveryRoutes(services)); // "maybe sent — check": mark sent or send again
  consoleRoutes.use(approvalRoutes(services)); // replies waiting for approval: the approvers' queue and decisions
  consoleRoutes.use(conversationActionRoutes(services), noteRoutes(services), presenceRoutes(services), cannedResponseRoutes(services));
  consoleRoutes.use(callbackRoutes(services)); // a callback case: the agent records each call attempt
  consoleRoutes.use(chatRoutes(services)); // a website chat on the conversation page: facts, accept, end
  consoleRoutes.use(notificationRoutes(services), savedViewRoutes(services));
  consoleRoutes.use(userRoutes(services)); // users and teams (admins)
  consoleRoutes.use(routingRoutes(services)); // presence switch, take next, routing settings, queue board
  consoleRoutes.use(alertSettingsRoutes(services)); // alert rules, SMTP, who is told where, report e-mails
  consoleRoutes.use(monitoringRoutes(services)); // alerts, sentiment corrections
  consoleRoutes.use(listeningQueryRoutes(services), monitoringDashboardRoutes(services)); // listening queries, the monitoring dashboard
  consoleRoutes.use(contactRoutes(services)); // the contact page: identities, conversations, merge, export, erasure
  consoleRoutes.use(attachmentRoutes(services)); // files customers sent: image previews and downloads
  consoleRoutes.use(taskRoutes(services)); // multi-step cases: the tasks panel's actions and "Meine Aufgaben"
  consoleRoutes.use(knowledgeRoutes(services)); // knowledge base: articles, their editor and usage (managers)
  consoleRoutes.use(chatSiteRoutes(services)); // website chat: the chat sites' settings and embed snippets
  app.use(consoleRoutes);

  app.use(exposeLocale, notFoundHandler);
  app.use(errorHandler());
  return app;
}

/** The app listening on `port` (0: any free port), resolved once it accepts connections. */
export function listen(services: Services, port: number): Promise<Server> {
  const server = createApp(services).listen(port);
  return new Promise((resolve, reject) => {
    server.once('listening', () => resolve(server));
    server.once('error', reject);
  });
}
