import { dataResponse, ListQuerySchema, ModelSchema, RegisterModelSchema } from '@neuronetiq/contracts';
import { errorResponses, type ServiceApp } from '@neuronetiq/service';
import { z } from 'zod';
import { requireAuthenticated } from '../auth/principal';
import type { ApiDeps } from '../deps';
import { findModels, registerModel } from './models';

const tags = ['models'];

export function modelRoutes(app: ServiceApp, deps: ApiDeps): void {
  app.get(
    '/api/models',
    {
      config: { access: { principal: 'anyone' } },
      schema: {
        summary: 'Public models and your own',
        tags,
        querystring: ListQuerySchema,
        response: { 200: dataResponse(z.array(ModelSchema)).describe('models'), ...errorResponses() },
      },
    },
    async (req) => ({
      success: true as const,
      data: await findModels(deps, { principal: req.principal, ...req.query }),
    }),
  );

  app.post(
    '/api/models',
    {
      config: { access: { principal: 'authenticated' } },
      schema: {
        summary: 'Register a model for your owner',
        tags,
        body: RegisterModelSchema,
        response: {
          201: dataResponse(ModelSchema).describe('registered'),
          ...errorResponses('UNAUTHENTICATED', 'FORBIDDEN', 'CONFLICT'),
        },
      },
    },
    async (req, reply) => {
      const principal = requireAuthenticated(req.principal);
      return reply.code(201).send({ success: true, data: await registerModel(deps, { principal, model: req.body }) });
    },
  );
}
