import type { MarketplaceModel, StoredBar, StoredSignal, TrackRecordSummary } from '@neuronetiq/contracts';

/**
 * `data` of `GET /api/marketplace/models/:owner/:model`: the listing's fields plus what the detail page shows.
 * The fields beyond MarketplaceModel are optional here so the page renders whatever the api sends.
 */
export type ModelDetail = MarketplaceModel & {
  visibility?: 'public' | 'private';
  track_record_live?: TrackRecordSummary;
  track_record_backfilled?: TrackRecordSummary;
  latest_signals?: (StoredSignal & { backfilled?: boolean })[];
};

export interface Envelope<T> {
  success: true;
  data: T;
}
export type BarsResponse = Envelope<StoredBar[]>;
