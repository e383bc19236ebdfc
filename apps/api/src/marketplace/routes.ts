import {
  IdentityUpsertSchema,
  MarketplaceModelQuerySchema,
  MarketplaceModelsQuerySchema,
  SlugSchema,
  UpdateModelSchema,
} from '@neuronetiq/contracts';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { requireAuthenticated, requireService } from '../auth/principal';
import { upsertIdentity } from '../auth/upsert-identity';
import type { ApiDeps } from '../deps';
import { parseOrThrow } from '../http/validate';
import { updateModel } from '../models/update-model';
import { findMarketplaceModels } from './find-marketplace-models';
import { getMarketplaceModel } from './get-marketplace-model';
import { getVendor } from './get-vendor';

const ModelPathSchema = z.strictObject({ owner: SlugSchema, model: SlugSchema });
const OwnerPathSchema = z.strictObject({ owner: SlugSchema });
const ModelIdPathSchema = z.strictObject({ model_id: SlugSchema });

/** The web app's api: sign-in identities, the public marketplace, and model edits by their owner. */
export function registerMarketplaceRoutes(app: FastifyInstance, deps: ApiDeps): void {
  app.post('/api/auth/identity', async (req) => {
    requireService(req.principal);
    const identity = parseOrThrow(IdentityUpsertSchema, req.body, 'identity');
    return upsertIdentity(deps, identity);
  });

  app.get('/api/marketplace/models', async (req) => {
    const query = parseOrThrow(MarketplaceModelsQuerySchema, req.query, 'query');
    return findMarketplaceModels(deps, { principal: req.principal, query });
  });

  app.get('/api/marketplace/models/:owner/:model', async (req) => {
    const path = parseOrThrow(ModelPathSchema, req.params, 'path');
    const query = parseOrThrow(MarketplaceModelQuerySchema, req.query, 'query');
    const data = await getMarketplaceModel(deps, {
      principal: req.principal,
      owner: path.owner,
      modelId: path.model,
      query,
    });
    return { success: true, data };
  });

  app.get('/api/marketplace/vendors/:owner', async (req) => {
    const path = parseOrThrow(OwnerPathSchema, req.params, 'path');
    return { success: true, data: await getVendor(deps, { principal: req.principal, owner: path.owner }) };
  });

  app.patch('/api/models/:model_id', async (req) => {
    const principal = requireAuthenticated(req.principal);
    const path = parseOrThrow(ModelIdPathSchema, req.params, 'path');
    const patch = parseOrThrow(UpdateModelSchema, req.body, 'model');
    return { success: true, data: await updateModel(deps, { principal, modelId: path.model_id, patch }) };
  });
}
