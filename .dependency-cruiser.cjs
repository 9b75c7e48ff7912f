// @ts-check
/**
 * The layer rules of docs/architecture.md ("Layer rules"), enforced by `npm run lint` (`depcruise src plugins`).
 * test/unit/boundaries.test.ts proves that each rule fires on a module that breaks it.
 *
 * Rings, innermost first:
 *   src/core/domain                       pure rules and records
 *   src/core/{ports,consent,services}     the core proper: ports, consent parsing, use-case services
 *   src/core/{store,engine}              adapters: implementations of the ports (ORM, files, models)
 *   src/connectors, plugins/              Connector implementations (see only domain and ports)
 *   src/app                               the application layer composing all of the above
 *   src/tui                               the CLI and the Ink app
 */

/** The core proper: everything under src/core except the adapters. */
const CORE = '^src/core/(domain|ports|services|consent)/';
const CONNECTORS = '^(src/connectors|plugins)/';

/** A package or Node built-in, resolved (node_modules/...) or not (the bare name). */
const pkg = (/** @type {string} */ name) => `(^|/node_modules/|^node_modules/)${name}(/|$)`;

/** The connector kit the package exports (`sitter/connector`, `sitter/testing`). */
const KIT = '^src/(public|testing)/';
/** All the kit may reach: itself, the ports and domain, light connector modules, Node's own modules, light packages. */
const KIT_MAY_REACH = [
  KIT,
  '^src/core/(ports|domain)/',
  '^src/connectors/(payload|asset-changed|errors|contract-version|plugin-host|wrap-connector|wrap-checks|redact|secrets)\\.ts$',
  '^src/connectors/http/',
  '^(node:)?[a-z_/]+$',
  ...['zod', 'axios', 'p-queue', 'p-retry', 'vitest'].map(pkg),
].join('|');

/**
 * A rule: no module whose path matches `from` may depend on one whose path matches `to` (unless it matches `toNot`).
 * @param {string} name @param {string} from @param {string | string[]} to @param {string} comment
 * @param {string} [toNot]
 * @returns {import('dependency-cruiser').IForbiddenRuleType}
 */
const forbid = (name, from, to, comment, toNot) => ({
  name,
  severity: 'error',
  comment,
  from: { path: from },
  to: toNot === undefined ? { path: to } : { path: to, pathNot: toNot },
});

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    forbid(
      'core-no-ui',
      CORE,
      ['^src/tui/', pkg('ink'), pkg('react'), pkg('ink-[^/]+')],
      'The core is UI-free: render in src/tui.',
    ),
    forbid(
      'core-no-http',
      CORE,
      [pkg('axios'), '^(node:)?https?$', '^(node:)?http2$', pkg('undici')],
      'The core does no HTTP: talk to a DAM through a Connector in src/connectors.',
    ),
    forbid(
      'core-no-orm',
      CORE,
      [pkg('@mikro-orm/[^/]+'), pkg('better-sqlite3'), pkg('sqlite3'), pkg('pg-boss')],
      'Only the store adapter (src/core/store) uses the ORM, and the job queue (pg-boss) behind the ScanQueue port.',
    ),
    forbid(
      'core-no-fs',
      CORE,
      '^(node:)?fs(/promises)?$',
      'The core does no file I/O, statically or through import(): use a port an adapter implements.',
    ),
    forbid(
      'core-no-node-io',
      CORE,
      ['^(node:)?(child_process|worker_threads|module|net|tls|dgram|dns|http2)$', pkg('exiftool-vendored')],
      'The core starts no process or thread, loads no module by path (createRequire), opens no socket and reads ' +
        'no metadata itself: adapters do, behind ports. (process.getBuiltinModule and fetch: eslint.config.js.)',
    ),
    forbid('core-no-sharp', CORE, pkg('sharp'), 'Image decoding belongs to the engine adapter (src/core/engine).'),
    forbid(
      'core-no-adapters',
      CORE,
      '^src/core/(store|engine)/',
      'The core reaches adapters only through its ports; the application layer wires them.',
    ),
    forbid(
      'core-no-connectors',
      CORE,
      CONNECTORS,
      'The core sees connectors only through the Connector port and the ConnectorProvider.',
    ),
    forbid('core-no-app', CORE, '^src/app/', 'The application layer calls the core, never the other way round.'),
    forbid(
      'domain-innermost',
      '^src/core/domain/',
      '^(src|plugins)/',
      'The domain is the innermost ring: it imports only itself (no ports, services, consent parsing).',
      '^src/core/domain/',
    ),
    forbid(
      'adapters-no-outer',
      '^src/core/(store|engine)/',
      ['^src/tui/', '^src/app/', CONNECTORS],
      'Adapters implement core ports; they know nothing of the UI, the application layer or connectors.',
    ),
    forbid(
      'connectors-domain-and-ports-only',
      CONNECTORS,
      ['^src/tui/', '^src/app/', '^src/core/'],
      'A connector implements the Connector port: it sees the domain and the ports, nothing else of Sitter.',
      '^src/core/(domain|ports)/',
    ),
    forbid(
      'connectors-no-db',
      CONNECTORS,
      [pkg('@mikro-orm/[^/]+'), pkg('sqlite3'), pkg('better-sqlite3'), pkg('knex'), pkg('pg-boss')],
      "A connector never touches a database: Sitter's records reach it only through the payloads of the port.",
    ),
    forbid(
      'app-no-ui',
      '^src/app/',
      ['^src/tui/', pkg('ink'), pkg('react'), pkg('ink-[^/]+')],
      'The application layer is called by the CLI and the Ink app; it renders nothing.',
    ),
    // Two halves of one rule. The kit (`sitter/connector`, `sitter/testing`) is installed into plugin
    // authors' projects: everything it reaches, however indirectly, is the contract's types, the pure
    // domain, the few connector modules a plugin needs, and light packages; never models, the ORM or the UI.
    {
      name: 'kit-stays-light',
      severity: 'error',
      comment:
        'The connector kit (src/public, src/testing) reaches only the ports, the domain, the light connector ' +
        'modules (payload, asset-changed, errors, wrap-connector, http) and zod, axios, p-queue, p-retry, vitest.',
      from: { path: KIT },
      to: { reachable: true, pathNot: KIT_MAY_REACH },
    },
    {
      name: 'kit-stays-light',
      severity: 'error',
      comment:
        'Only the contract kit (src/testing) and the tests import vitest or src/testing: Sitter itself never loads them.',
      from: { path: '^(src|plugins)/', pathNot: '^src/testing/' },
      to: { path: [pkg('vitest'), pkg('@vitest/[^/]+'), '^src/testing/'] },
    },
    // Two halves of one rule: a module rule for every .tsx with fewer than 100 dependents (the schema's
    // ceiling), used or not, and a dependency rule for any import of one, however many.
    {
      name: 'core-no-tsx',
      severity: 'error',
      comment: 'No JSX under src/core: views live in src/tui.',
      module: { path: '^src/core/.+\\.tsx$', numberOfDependentsLessThan: 100 },
      from: {},
    },
    forbid('core-no-tsx', '^(src|plugins)/', '^src/core/.+\\.tsx$', 'No JSX under src/core: views live in src/tui.'),
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'A cycle makes two modules one layer: break it with a port or by moving the shared part down.',
      from: {},
      to: { circular: true },
    },
  ],
  options: {
    // Packages are reported as the targets of rules but not cruised themselves.
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      mainFields: ['module', 'main', 'types', 'typings'],
    },
  },
};
