/**
 * The layer rules of Replyline (DESIGN.md "Architecture", STYLE.md "A layout that fits"), checked by
 * `npm run deps` and `npm test`. Each rule names the layer it protects; a broken rule fails the run.
 * tests/unit/dependencyRules.test.ts proves every rule fires on a deliberate violation.
 */
const NPM = (names) => `(^|/)node_modules/(@types/)?(${names.join('|')})/`;

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'domain-not-to-http-or-queues',
      comment: 'Domain logic is plain TypeScript tested without HTTP or a queue: no express, no bullmq (not even their types).',
      severity: 'error',
      from: { path: '^server/domain/' },
      to: { path: NPM(['express', 'express-serve-static-core', 'express-session', 'bullmq']) },
    },
    {
      name: 'domain-not-to-redis-at-runtime',
      comment:
        'The domain never opens or owns a Redis connection. A command may take a client as a parameter and name its type ' +
        '(`import type { Redis } from "ioredis"`, erased at compile time): the caller wires the real one.',
      severity: 'error',
      from: { path: '^server/domain/' },
      to: { path: NPM(['ioredis']), dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'domain-not-to-entry-points',
      comment: 'Routes, middleware, job processors and views call the domain, never the other way round.',
      severity: 'error',
      from: { path: '^server/domain/' },
      to: { path: '^(server/routes|server/middleware|jobs|views)/' },
    },
    {
      name: 'domain-only-connector-interface',
      comment: 'The domain knows channels only through connectors/types.ts (the Connector interface and its errors), never a channel\'s own module.',
      severity: 'error',
      from: { path: '^server/domain/' },
      to: { path: '^connectors/', pathNot: '^connectors/types\\.ts$' },
    },
    {
      name: 'routes-not-to-jobs',
      comment: 'A route calls a domain command; queue wiring lives in jobs/ and reaches routes only through the services passed to createApp.',
      severity: 'error',
      from: { path: '^server/routes/' },
      to: { path: '^jobs/' },
    },
    {
      name: 'connectors-not-to-entry-points',
      comment: 'A connector talks to one channel; it knows nothing of HTTP routes, middleware or jobs.',
      severity: 'error',
      from: { path: '^connectors/' },
      to: { path: '^(server/routes|server/middleware|jobs)/' },
    },
    {
      name: 'db-not-to-upper-layers',
      comment: 'Repositories return plain rows; they never call routes, middleware or jobs.',
      severity: 'error',
      from: { path: '^server/db/' },
      to: { path: '^(server/routes|server/middleware|jobs)/' },
    },
    {
      name: 'db-domain-types-only',
      comment: 'server/db may name a domain type (import type) but never runs domain code: the domain calls the repositories.',
      severity: 'error',
      from: { path: '^server/db/' },
      to: { path: '^server/domain/', dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'domain-no-cycles',
      comment: 'Domain modules form a tree: a cycle among them means two rooms should be one, or a shared piece wants its own module.',
      severity: 'error',
      from: { path: '^server/domain/' },
      to: { circular: true, viaOnly: { path: '^server/domain/' } },
    },
  ],
  options: {
    includeOnly: '^(server|connectors|jobs|views)/|(^|/)node_modules/',
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default', 'types'] },
  },
};
