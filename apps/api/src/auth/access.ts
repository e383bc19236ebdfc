import type { ApiKeyScope } from '@neuronetiq/contracts';
import type { FastifyInstance, onRequestHookHandler } from 'fastify';
import { requireAuthenticated, requireScope, requireService } from './principal';

/**
 * Who may call a route, declared in its `config.access`: `anyone`, any `authenticated` principal (a vendor key only
 * with `scope`), or the `service` key. Checked as the request arrives, right after its credentials are resolved and
 * before its body is read: a stranger's body is never parsed (a 1 MiB body of nested brackets costs nothing), and a
 * stranger learns nothing from a 400.
 */
export type Access =
  | { principal: 'anyone' }
  | { principal: 'authenticated'; scope?: ApiKeyScope }
  | { principal: 'service' };

declare module 'fastify' {
  interface FastifyContextConfig {
    access?: Access;
  }
}

/**
 * Adds each route's access check as its first route-level `onRequest` hook (resolved once per route, not per request);
 * route-level hooks run after the app's, so the principal is known by then.
 */
export function installAccessControl(app: FastifyInstance): void {
  app.addHook('onRoute', (route) => {
    const access = route.config?.access;
    if (!access || access.principal === 'anyone') return;
    const check: onRequestHookHandler = (request, _reply, done) => {
      try {
        if (access.principal === 'service') requireService(request.principal);
        else if (access.scope) requireScope(requireAuthenticated(request.principal), access.scope);
        else requireAuthenticated(request.principal);
        done();
      } catch (err) {
        done(err as Error);
      }
    };
    const existing = route.onRequest;
    route.onRequest = [check, ...(existing ? (Array.isArray(existing) ? existing : [existing]) : [])];
  });
}
