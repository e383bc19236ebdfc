import {
  dataResponse,
  IdentityUpsertResultSchema,
  IdentityUpsertSchema,
  MarketplaceConsensusQuerySchema,
  MarketplaceConsensusResponseSchema,
  MarketplaceModelDetailSchema,
  MarketplaceModelParamsSchema,
  MarketplaceModelQuerySchema,
  MarketplaceModelsQuerySchema,
  MarketplaceModelsResponseSchema,
  MarketplaceVendorSchema,
  ModelIdParamsSchema,
  ModelSchema,
  OwnerParamsSchema,
  UpdateModelSchema,
} from '@neuronetiq/contracts';
import { errorResponses, type ServiceApp } from '@neuronetiq/service';
import { requireAuthenticated } from '../auth/principal';
import { upsertIdentity } from '../auth/upsert-identity';
import type { ApiDeps } from '../deps';
import { updateModel } from '../models/update-model';
import { findMarketplaceConsensus } from './find-marketplace-consensus';
import { findMarketplaceModels } from './find-marketplace-models';
import { getMarketplaceModel } from './get-marketplace-model';
import { getVendor } from './get-vendor';

const anyone = { access: { principal: 'anyone' } } as const;
const tags = ['marketplace'];

/** The web app's api: sign-in identities, the public marketplace, and model edits by their owner. */
export function marketplaceRoutes(app: ServiceApp, deps: ApiDeps): void {
  app.post(
    '/api/auth/identity',
    {
      config: { access: { principal: 'service' } },
      schema: {
        summary: 'Record a verified sign-in identity and get its user and owner (service key; the web server)',
        description:
          'Upserts auth.users and auth.identities keyed on (provider, provider_user_id): a renamed GitHub login keeps its user and owner. The owner is assigned once, on the server: GitHub login lower-cased; Google e-mail local part + `_google`; taken names get `_2`, `_3`, … The web server then mints HS256 session tokens (SUPABASE_JWT_SECRET) with `sub` = user_id.',
        tags: ['auth'],
        body: IdentityUpsertSchema,
        response: {
          200: IdentityUpsertResultSchema.describe('the user and owner'),
          ...errorResponses('UNAUTHENTICATED', 'FORBIDDEN'),
        },
      },
    },
    async (req) => upsertIdentity(deps, req.body),
  );

  app.get(
    '/api/marketplace/models',
    {
      config: anyone,
      schema: {
        summary: 'Public models with vendor attribution, series, signal counts and track records (anyone)',
        tags,
        querystring: MarketplaceModelsQuerySchema,
        response: {
          200: MarketplaceModelsResponseSchema.describe('one page of public models and the total'),
          ...errorResponses(),
        },
      },
    },
    async (req) => findMarketplaceModels(deps, { principal: req.principal, query: req.query }),
  );

  app.get(
    '/api/marketplace/models/:owner/:model',
    {
      config: anyone,
      schema: {
        summary: 'One model: vendor, series, track record per series (live and backfilled apart), newest signals',
        description: 'Public models for anyone; a private model only for its owner (404 for everyone else).',
        tags,
        params: MarketplaceModelParamsSchema,
        querystring: MarketplaceModelQuerySchema,
        response: {
          200: dataResponse(MarketplaceModelDetailSchema).describe('the model'),
          ...errorResponses('NOT_FOUND'),
        },
      },
    },
    async (req) => {
      const { owner, model } = req.params;
      const data = await getMarketplaceModel(deps, {
        principal: req.principal,
        owner,
        modelId: model,
        query: req.query,
      });
      return { success: true as const, data };
    },
  );

  app.get(
    '/api/marketplace/vendors/:owner',
    {
      config: anyone,
      schema: {
        summary: 'A vendor (GitHub attribution) and their public models (anyone)',
        tags,
        params: OwnerParamsSchema,
        response: { 200: dataResponse(MarketplaceVendorSchema).describe('the vendor'), ...errorResponses('NOT_FOUND') },
      },
    },
    async (req) => ({
      success: true as const,
      data: await getVendor(deps, { principal: req.principal, owner: req.params.owner }),
    }),
  );

  app.get(
    '/api/marketplace/consensus',
    {
      config: anyone,
      schema: {
        summary: "One series' consensus as the caller may read it (anyone; delayed for non-subscribers)",
        description:
          "Newest bar first. A consensus row is its owner's live; anyone else reads it only when every contributing model is public, live with an active subscription to every contributor (`live: true`), otherwise once it is older than the platform's delay (`live: false`; `delay_seconds`, 24 h by default). Anonymous callers therefore never get a fresh consensus, nor ever one of a private model. Enforced in the database (ml.visible_consensus).",
        tags,
        querystring: MarketplaceConsensusQuerySchema,
        response: {
          200: MarketplaceConsensusResponseSchema.describe('the readable consensus rows and the delay'),
          ...errorResponses(),
        },
      },
    },
    async (req) => findMarketplaceConsensus(deps, { principal: req.principal, query: req.query }),
  );

  app.patch(
    '/api/models/:model_id',
    {
      config: { access: { principal: 'authenticated' } },
      schema: {
        summary: "Edit your model's name, description or visibility",
        tags: ['models'],
        params: ModelIdParamsSchema,
        body: UpdateModelSchema,
        response: {
          200: dataResponse(ModelSchema).describe('the model as stored'),
          ...errorResponses('UNAUTHENTICATED', 'FORBIDDEN', 'NOT_FOUND'),
        },
      },
    },
    async (req) => {
      const principal = requireAuthenticated(req.principal);
      const data = await updateModel(deps, { principal, modelId: req.params.model_id, patch: req.body });
      return { success: true as const, data };
    },
  );
}
