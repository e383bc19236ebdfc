import { MarketplaceModelsQuerySchema, type MarketplaceVendor, type Vendor } from '@neuronetiq/contracts';
import { repos } from '@neuronetiq/db';
import type { Principal } from '../auth/principal';
import { readContext } from '../auth/principal';
import type { ApiDeps } from '../deps';
import { AppError } from '../errors';
import { statsByPeriod } from '../performance/stats-by-period';
import { toMarketplaceModel } from './find-marketplace-models';

/** A vendor's page: their attribution and their public models (newest signal first). Unknown owners are a 404. */
export async function getVendor(
  deps: ApiDeps,
  req: { principal: Principal; owner: string },
): Promise<MarketplaceVendor> {
  return deps.db.asRequest(readContext(req.principal), async (tx) => {
    if (!(await repos.marketplace.ownerExists(tx, req.owner))) {
      throw new AppError('NOT_FOUND', { message: `no vendor "${req.owner}"` });
    }
    const query = MarketplaceModelsQuerySchema.parse({
      owner: req.owner,
      sort: 'last_signal_at',
      order: 'desc',
      limit: '100',
    });
    const nowMs = deps.now();
    const [{ rows }, vendors] = [
      await repos.marketplace.list(tx, { ...query, nowMs }),
      await repos.marketplace.vendors(tx, [req.owner]),
    ];
    const vendor = vendors.get(req.owner) as Vendor;
    const stats = await statsByPeriod(tx, { owner: req.owner, nowMs });
    return { vendor, models: rows.map((r) => toMarketplaceModel(r, vendor)), stats };
  });
}
