// The layer rules of shared/DESIGN.md, run by `npm run lint:deps` (and so by `npm test`).
// Arrows point down: src/http, server.ts, cli.ts and route files -> services -> stores -> core/lib.
const ROUTES = [
  '^src/modules/[^/]+/[\\w-]*routes\\.ts$',
  // The KYC consult links: their page route and the service that makes them share one file.
  '^src/modules/kyc/consult\\.ts$',
  // The Dashboard: server-rendered pages over the services, on the HTTP side like route files.
  '^src/dashboard/',
];
const HTTP_SIDE = ['^src/http/', '^src/server\\.ts$', '^src/cli\\.ts$', ...ROUTES];
const STORES = ['^src/modules/[^/]+/[\\w-]*store\\.ts$', '^src/webhooks/store\\.ts$', '^src/db/'];
const SERVICES = '^src/modules/[^/]+/[\\w-]*service\\.ts$';

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      comment: 'No file imports itself through others at run time (a cycle with a type-only hop is erased by the compiler).',
      severity: 'error',
      from: { path: '^src/' },
      to: { circular: true, viaOnly: { dependencyTypesNot: ['type-only'] } },
    },
    {
      name: 'no-module-cycles',
      comment: 'Modules depend on each other in one direction only (a module is a folder of src/modules).',
      severity: 'error',
      scope: 'folder',
      from: { path: '^src/modules/' },
      to: { path: '^src/modules/', circular: true },
    },
    {
      name: 'http-only-from-the-http-side',
      comment: 'Only src/http, server.ts, cli.ts and route files know the wire: services get typed inputs and throw core errors.',
      severity: 'error',
      from: { path: '^src/', pathNot: HTTP_SIDE },
      to: { path: '^src/http/' },
    },
    {
      name: 'fastify-only-on-the-http-side',
      comment: 'Fastify is the transport: nothing below the route files may import it.',
      severity: 'error',
      from: { path: '^src/', pathNot: HTTP_SIDE },
      to: { path: '(^|/)node_modules/(fastify|@fastify/[^/]+)/' },
    },
    {
      name: 'client-stands-alone',
      comment: "src/client is the typed client users' own scripts import: it needs nothing of the server.",
      severity: 'error',
      from: { path: '^src/client/' },
      to: { path: '^src/', pathNot: '^src/client/' },
    },
    {
      name: 'core-is-the-bottom',
      comment: 'src/core (errors, context, paging, clock) imports nothing from src but src/lib.',
      severity: 'error',
      from: { path: '^src/core/' },
      to: { path: '^src/', pathNot: ['^src/core/', '^src/lib/', '^src/db/'] },
    },
    {
      name: 'core-only-types-from-db',
      comment: "RequestCtx names the Db handle's type; core runs no database code.",
      severity: 'error',
      from: { path: '^src/core/' },
      to: { path: '^src/db/', dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'stores-hold-sql-only',
      comment: 'Stores do not call services, routes or the http layer.',
      severity: 'error',
      from: { path: STORES },
      to: { path: [SERVICES, ...HTTP_SIDE] },
    },
    {
      name: 'services-do-not-call-routes',
      severity: 'error',
      from: { path: SERVICES },
      to: { path: ROUTES },
    },
    {
      name: 'ledger-below-modules',
      comment: "The ledger posts money; no module's service or routes may be behind it.",
      severity: 'error',
      from: { path: '^src/ledger/' },
      to: { path: [SERVICES, ...ROUTES] },
    },
  ],
  options: {
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '\\.d\\.ts$' },
  },
};
