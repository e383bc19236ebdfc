import type { MarketplaceConsensusQuery, MarketplaceConsensusResponse } from '@neuronetiq/contracts';
import { repos } from '@neuronetiq/db';
import { type Principal, readContext } from '../auth/principal';
import type { ApiDeps } from '../deps';

/**
 * One series' consensus as the caller may read it (anyone): the database decides, in the caller's own request
 * context, through ml.visible_consensus (its owner and subscribers of every contributor live; everyone else only rows
 * of public models older than the platform's delay). The delay comes with the rows so a page can say how late they are.
 */
export async function findMarketplaceConsensus(
  deps: ApiDeps,
  req: { principal: Principal; query: MarketplaceConsensusQuery },
): Promise<MarketplaceConsensusResponse> {
  const { rows, delaySeconds } = await deps.db.asRequest(readContext(req.principal), (tx) =>
    repos.consensus.findVisible(tx, req.query),
  );
  return { success: true, data: rows, delay_seconds: delaySeconds };
}
