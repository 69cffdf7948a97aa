/** /admin/v1/server, /certificates and /jobs: what the server is and how it is doing; an administrator's. */
import { requireAdmin } from './api-checks.js';
import type { Route } from './api-types.js';

const EXPIRING_DAYS = 30;

/** The routes of /admin/v1/server, /certificates and /jobs. */
export const SERVER_ROUTES: Route[] = [
  {
    method: 'GET', path: 'server',
    run: async (req) => {
      requireAdmin(req, 'see the server');
      const s = req.sources;
      return {
        body: {
          version: s.version,
          startedAt: s.startedAt.toISOString(),
          uptimeSeconds: Math.floor((Date.now() - s.startedAt.getTime()) / 1000),
          region: s.frontEnd.settings.region,
          // Whom requests act as on the file system (serve --identity-mode), and whether files can be given to them.
          identityMode: s.frontEnd.settings.identities?.mode ?? 'user',
          chown: s.chown,
          storage: s.storage,
          listeners: s.listeners(),
          fileSystems: await s.fileSystems(),
        },
      };
    },
  },
  {
    method: 'GET', path: 'certificates',
    run: async (req) => {
      requireAdmin(req, 'see the certificates');
      // The console highlights what needs renewing: under 30 days left (when the server also warns in its log).
      const certificates = (req.sources.certificates() as { daysLeft: number }[]).map((c) => ({
        ...c, status: c.daysLeft < 0 ? 'expired' : c.daysLeft < EXPIRING_DAYS ? 'expiring' : 'valid',
      }));
      return { body: { certificates } };
    },
  },
  {
    method: 'GET', path: 'jobs',
    run: async (req) => {
      requireAdmin(req, 'see the background jobs');
      return { body: { jobs: req.sources.jobs() } };
    },
  },
];
