import {
  ApiKeyIdParamsSchema,
  ApiKeySchema,
  CreateApiKeySchema,
  CreatedApiKeySchema,
  dataResponse,
  OwnerQuerySchema,
} from '@neuronetiq/contracts';
import { AppError, errorResponses, type ServiceApp } from '@neuronetiq/service';
import { z } from 'zod';
import { requireAuthenticated } from '../auth/principal';
import type { ApiDeps } from '../deps';
import { createApiKey, findApiKeys, revokeApiKey } from './keys';

const tags = ['keys'];
const signedIn = { access: { principal: 'authenticated' } } as const;
const UUID = /^[0-9a-f-]{36}$/i;

export function keyRoutes(app: ServiceApp, deps: ApiDeps): void {
  app.post(
    '/api/keys',
    {
      config: signedIn,
      schema: {
        summary: 'Create an API key; the key is returned once',
        tags,
        // No body is an empty object, so the answer names the missing `name` rather than the body.
        body: z.preprocess((input) => input ?? {}, CreateApiKeySchema),
        response: {
          201: dataResponse(CreatedApiKeySchema).describe('created; `key` is shown this once'),
          ...errorResponses('UNAUTHENTICATED', 'FORBIDDEN'),
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
      config: signedIn,
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
