import type { ApiKeyScope } from '@neuronetiq/contracts';
import type { FastifyInstance } from 'fastify';
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

export function installAccessControl(app: FastifyInstance): void {
  app.addHook('preValidation', async (request) => {
    const access = request.routeOptions.config.access;
    if (!access || access.principal === 'anyone') return;
    if (access.principal === 'service') return requireService(request.principal);
    const principal = requireAuthenticated(request.principal);
    if (access.scope) requireScope(principal, access.scope);
  });
}
