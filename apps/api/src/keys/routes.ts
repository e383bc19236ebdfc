import {
  ApiKeyIdParamsSchema,
  ApiKeySchema,
  CreateApiKeySchema,
  CreatedApiKeySchema,
  dataResponse,
  MAX_ACTIVE_API_KEYS,
  OwnerQuerySchema,
} from '@neuronetiq/contracts';
import { AppError, errorResponses, type ServiceApp } from '@neuronetiq/service';
import { z } from 'zod';
import { requireAuthenticated } from '../auth/principal';
import type { ApiDeps } from '../deps';
import { createApiKey, findApiKeys, revokeApiKey } from './keys';

const tags = ['keys'];
// A signed-in user, the service key, or a vendor key with the explicit `keys:manage` scope.
const manage = { access: { principal: 'authenticated', scope: 'keys:manage' } } as const;
// Any credential: a key without `keys:manage` may still revoke itself (checked by the use case).
const signedIn = { access: { principal: 'authenticated' } } as const;
const UUID = /^[0-9a-f-]{36}$/i;

export function keyRoutes(app: ServiceApp, deps: ApiDeps): void {
  app.post(
    '/api/keys',
    {
      config: manage,
      schema: {
        summary: 'Create an API key; the key is returned once',
        description: `A signed-in user or a key with the \`keys:manage\` scope. An owner holds at most ${MAX_ACTIVE_API_KEYS} active keys (409 above).`,
        tags,
        // No body is an empty object, so the answer names the missing `name` rather than the body.
        body: z.preprocess((input) => input ?? {}, CreateApiKeySchema),
        response: {
          201: dataResponse(CreatedApiKeySchema).describe('created; `key` is shown this once'),
          ...errorResponses('UNAUTHENTICATED', 'FORBIDDEN', 'CONFLICT'),
        },
      },
    },
    async (req, reply) => {
      const principal = requireAuthenticated(req.principal);
      const { key, record } = await createApiKey(deps, { principal, input: req.body });
      reply.header('cache-control', 'no-store');
      return reply.code(201).send({ success: true, data: { ...record, key } });
    },
  );

  app.get(
    '/api/keys',
    {
      config: manage,
      schema: {
        summary: 'Your API keys (never their secrets)',
        tags,
        querystring: OwnerQuerySchema,
        response: {
          200: dataResponse(z.array(ApiKeySchema)).describe('keys'),
          ...errorResponses('UNAUTHENTICATED', 'FORBIDDEN'),
        },
      },
    },
    async (req) => {
      const principal = requireAuthenticated(req.principal);
      return { success: true as const, data: await findApiKeys(deps, { principal, owner: req.query.owner }) };
    },
  );

  app.delete(
    '/api/keys/:id',
    {
      config: signedIn,
      schema: {
        summary: 'Revoke a key',
        description:
          "A signed-in user or a key with `keys:manage` revokes any of its owner's keys; any key may revoke itself.",
        tags,
        params: ApiKeyIdParamsSchema,
        response: {
          200: dataResponse(ApiKeySchema).describe('revoked'),
          ...errorResponses('UNAUTHENTICATED', 'FORBIDDEN', 'NOT_FOUND'),
        },
      },
    },
    async (req) => {
      const principal = requireAuthenticated(req.principal);
      const { id } = req.params;
      if (!UUID.test(id)) throw new AppError('NOT_FOUND', { message: `no API key with id "${id}"` });
      return { success: true as const, data: await revokeApiKey(deps, { principal, id }) };
    },
  );
}
