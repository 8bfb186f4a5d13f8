// The browser UI: static files from public/ at the package root, open without a key (SPEC §2).
// The page presents the key once for a session cookie (routes/session.ts), so nothing here is secret.
import type { FastifyPluginAsync } from 'fastify'
import fastifyStatic from '@fastify/static'
import { packagePath } from '../../core/package-root.js'

export const PUBLIC_DIR = packagePath('public')

export const webUiRoutes: FastifyPluginAsync = async (app) => {
  // @fastify/static takes no route config, and undeclared routes need an admin key. This hook is
  // encapsulated in this plugin, so it marks exactly the routes the static plugin below declares.
  app.addHook('onRoute', (route) => {
    route.config = { ...route.config, access: 'public' }
  })
  await app.register(fastifyStatic, {
    root: PUBLIC_DIR,
    prefix: '/',
    // One route per file found at start-up (plus `/` for index.html) instead of a `/*` catch-all,
    // which would swallow unknown API paths and make their 404s public.
    wildcard: false,
    // The app already registered @fastify/static once (download files); reply.sendFile stays theirs.
    decorateReply: false,
    // Revalidated on every load (ETag): a server update shows up without a stale cached script.
    cacheControl: true,
    maxAge: 0,
  })
}
