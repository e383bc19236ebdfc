import type { ApiKeyScope } from '@neuronetiq/contracts';
import type { FastifyInstance, preValidationHookHandler } from 'fastify';
import { requireAuthenticated, requireScope, requireService } from './principal';

/**
 * Who may call a route, declared in its `config.access`: `anyone`, any `authenticated` principal (a vendor key only
 * with `scope`), or the `service` key. Checked before the request is validated, so a stranger learns nothing from a
 * 400, and before the rate limit counts it against a principal.
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

/** Adds each route's access check as its first `preValidation` hook (resolved once per route, not per request). */
export function installAccessControl(app: FastifyInstance): void {
  app.addHook('onRoute', (route) => {
    const access = route.config?.access;
    if (!access || access.principal === 'anyone') return;
    const check: preValidationHookHandler = (request, _reply, done) => {
      try {
        if (access.principal === 'service') requireService(request.principal);
        else if (access.scope) requireScope(requireAuthenticated(request.principal), access.scope);
        else requireAuthenticated(request.principal);
        done();
      } catch (err) {
        done(err as Error);
      }
    };
    const existing = route.preValidation;
    route.preValidation = [check, ...(existing ? (Array.isArray(existing) ? existing : [existing]) : [])];
  });
}
