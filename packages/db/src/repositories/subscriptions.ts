import type { Queryable } from '../client';

/** A subscription as the api returns it (timestamps ISO-8601 UTC). */
export interface SubscriptionRow {
  id: string;
  subscriber: string;
  owner: string;
  model_id: string;
  started_at: string;
  ended_at: string | null;
  status: 'active' | 'past_due' | 'canceled';
  past_due_since: string | null;
  provider: string;
  provider_ref: string;
}

// The open unpaid stretch's start (migration 20261208030000): a subscription that has not ended is past_due while
// it has one. Qualified by the table's name so it also reads the row in INSERT/UPDATE … RETURNING.
const PAST_DUE_SINCE =
  '(SELECT u.since FROM app.subscription_unpaid u WHERE u.subscription_id = subscriptions.id AND u.until IS NULL)';
const SUBSCRIPTION_COLUMNS = `id, subscriber, owner, model_id, started_at, ended_at,
  CASE WHEN ended_at IS NOT NULL THEN 'canceled' WHEN ${PAST_DUE_SINCE} IS NOT NULL THEN 'past_due' ELSE 'active' END
    AS status,
  CASE WHEN ended_at IS NULL THEN ${PAST_DUE_SINCE} END AS past_due_since, provider, provider_ref`;

/**
 * Prices, subscriptions, payments and closed statements (supabase/migrations/*_subscriptions_revenue.sql). Writes run
 * as the service role after the use case has checked who may make them; reads run as the caller (RLS).
 */
export const subscriptionRepository = {
  /** The model's owner and visibility, or null when the caller may not see it. */
  async findModel(tx: Queryable, owner: string, modelId: string): Promise<{ visibility: string } | null> {
    const [row] = await tx.query<{ visibility: string }>(
      'SELECT visibility FROM ml.models WHERE owner = $1 AND model_id = $2',
      [owner, modelId],
    );
    return row ?? null;
  },

  async setPrice(tx: Queryable, p: { owner: string; modelId: string; pricePence: number; atMs: number }) {
    await tx.query(
      `INSERT INTO app.model_prices (owner, model_id, effective_from, price_pence) VALUES ($1, $2, $3, $4)
       ON CONFLICT (owner, model_id, effective_from) DO UPDATE SET price_pence = excluded.price_pence`,
      [p.owner, p.modelId, new Date(p.atMs).toISOString(), p.pricePence],
    );
  },

  /** The price in effect at `atMs`; null when the model was never priced. */
  async priceAt(tx: Queryable, owner: string, modelId: string, atMs: number): Promise<number | null> {
    const [row] = await tx.query<{ price_pence: number }>(
      `SELECT price_pence FROM app.model_prices WHERE owner = $1 AND model_id = $2 AND effective_from <= $3
       ORDER BY effective_from DESC LIMIT 1`,
      [owner, modelId, new Date(atMs).toISOString()],
    );
    return row?.price_pence ?? null;
  },

  /** Inserts an active subscription; null when the subscriber already holds one to the model. */
  async subscribe(
    tx: Queryable,
    s: { subscriber: string; owner: string; modelId: string; atMs: number; provider: string; providerRef: string },
  ): Promise<SubscriptionRow | null> {
    const [row] = await tx.query<SubscriptionRow>(
      `INSERT INTO app.subscriptions (subscriber, owner, model_id, started_at, provider, provider_ref)
       VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (subscriber, owner, model_id) WHERE ended_at IS NULL DO NOTHING
       RETURNING ${SUBSCRIPTION_COLUMNS}`,
      [s.subscriber, s.owner, s.modelId, new Date(s.atMs).toISOString(), s.provider, s.providerRef],
    );
    return row ?? null;
  },

  async findActive(tx: Queryable, subscriber: string, owner: string, modelId: string) {
    const [row] = await tx.query<SubscriptionRow>(
      `SELECT ${SUBSCRIPTION_COLUMNS} FROM app.subscriptions
       WHERE subscriber = $1 AND owner = $2 AND model_id = $3 AND ended_at IS NULL`,
      [subscriber, owner, modelId],
    );
    return row ?? null;
  },

  /** Ends an active subscription at `atMs` (never before it started); null when there was none. */
  async end(tx: Queryable, where: { id: string } | { provider: string; providerRef: string }, atMs: number) {
    const [row] = await tx.query<SubscriptionRow>(
      'id' in where
        ? `UPDATE app.subscriptions SET ended_at = greatest($2, started_at) WHERE id = $1 AND ended_at IS NULL
           RETURNING ${SUBSCRIPTION_COLUMNS}`
        : `UPDATE app.subscriptions SET ended_at = greatest($3, started_at)
           WHERE provider = $1 AND provider_ref = $2 AND ended_at IS NULL
           RETURNING ${SUBSCRIPTION_COLUMNS}`,
      'id' in where
        ? [where.id, new Date(atMs).toISOString()]
        : [where.provider, where.providerRef, new Date(atMs).toISOString()],
    );
    return row ?? null;
  },

  /** The caller's subscriptions and those to the caller's models (RLS), newest first. */
  async list(tx: Queryable): Promise<SubscriptionRow[]> {
    return tx.query<SubscriptionRow>(
      `SELECT ${SUBSCRIPTION_COLUMNS} FROM app.subscriptions ORDER BY started_at DESC, id LIMIT 1000`,
    );
  },

  async findByProviderRef(tx: Queryable, provider: string, providerRef: string) {
    const [row] = await tx.query<SubscriptionRow>(
      `SELECT ${SUBSCRIPTION_COLUMNS} FROM app.subscriptions WHERE provider = $1 AND provider_ref = $2`,
      [provider, providerRef],
    );
    return row ?? null;
  },

  /** Whether the owner's statement of the UTC month holding `atMs` is closed (stored, never to change). */
  async monthClosed(tx: Queryable, owner: string, atMs: number): Promise<boolean> {
    const [row] = await tx.query<{ closed: boolean }>(
      `SELECT EXISTS (SELECT 1 FROM app.revenue_statements
                      WHERE owner = $1 AND month = to_char($2::timestamptz AT TIME ZONE 'UTC', 'YYYY-MM')) AS closed`,
      [owner, new Date(atMs).toISOString()],
    );
    return row?.closed === true;
  },

  /** Records a charge or refund once (a redelivered provider reference is ignored); true when recorded. */
  async recordPayment(
    tx: Queryable,
    p: { subscriptionId: string; kind: 'charge' | 'refund'; amountPence: number; atMs: number; providerRef: string },
  ): Promise<boolean> {
    const rows = await tx.query(
      `INSERT INTO app.payments (subscription_id, kind, amount_pence, at, provider_ref) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (provider_ref) DO NOTHING RETURNING 1`,
      [p.subscriptionId, p.kind, p.amountPence, new Date(p.atMs).toISOString(), p.providerRef],
    );
    return rows.length === 1;
  },

  /**
   * A renewal's payment failed at `atMs` (the provider's time): the subscription becomes past_due from then, unless it
   * has ended, is past due already, or a newer invoice event was applied (events arrive out of order). True when it
   * changed.
   */
  async markPastDue(tx: Queryable, p: { id: string; atMs: number; invoiceRef: string }): Promise<boolean> {
    const rows = await tx.query(
      `WITH s AS (
         UPDATE app.subscriptions SET billing_event_at = $2
         WHERE id = $1 AND ended_at IS NULL AND (billing_event_at IS NULL OR billing_event_at < $2)
         RETURNING id, started_at)
       INSERT INTO app.subscription_unpaid (subscription_id, since, invoice_ref)
       SELECT id, greatest($2::timestamptz, started_at), $3 FROM s ON CONFLICT DO NOTHING RETURNING 1`,
      [p.id, new Date(p.atMs).toISOString(), p.invoiceRef],
    );
    return rows.length === 1;
  },

  /**
   * An invoice was paid at `atMs` (the provider's time): an open unpaid stretch ends then, unless a newer invoice
   * event was applied already (a payment wins a tie with a failure). True when a past_due subscription recovered.
   */
  async markPaid(tx: Queryable, p: { id: string; atMs: number }): Promise<boolean> {
    const rows = await tx.query(
      `WITH s AS (
         UPDATE app.subscriptions SET billing_event_at = $2
         WHERE id = $1 AND (billing_event_at IS NULL OR billing_event_at <= $2)
         RETURNING id)
       UPDATE app.subscription_unpaid u SET until = greatest($2::timestamptz, u.since)
       FROM s WHERE u.subscription_id = s.id AND u.until IS NULL RETURNING 1`,
      [p.id, new Date(p.atMs).toISOString()],
    );
    return rows.length === 1;
  },

  /** Keeps a declined payment for audit (nothing else is stored for it). */
  async recordDeclined(
    tx: Queryable,
    a: {
      subscriber: string;
      owner: string;
      modelId: string;
      subscriptionId: string | null;
      amountPence: number;
      declineCode: string;
      atMs: number;
    },
  ): Promise<void> {
    await tx.query(
      `INSERT INTO app.payment_attempts
         (subscriber, owner, model_id, subscription_id, amount_pence, outcome, decline_code, at)
       VALUES ($1, $2, $3, $4, $5, 'declined', $6, $7)`,
      [
        a.subscriber,
        a.owner,
        a.modelId,
        a.subscriptionId,
        a.amountPence,
        a.declineCode,
        new Date(a.atMs).toISOString(),
      ],
    );
  },

  /** Claims a provider event id; false when it was handled before (the caller acknowledges and does nothing). */
  async claimEvent(tx: Queryable, provider: string, eventId: string, type: string): Promise<boolean> {
    const rows = await tx.query(
      `INSERT INTO app.payment_events (provider, event_id, type) VALUES ($1, $2, $3)
       ON CONFLICT (provider, event_id) DO NOTHING RETURNING 1`,
      [provider, eventId, type],
    );
    return rows.length === 1;
  },
};

/** What a vendor's statement for one month is computed from (every row touching the month; see apps/api/src/revenue). */
export interface RevenueInputs {
  platformFeeBps: number;
  subscriptions: { id: string; subscriber: string; model_id: string; started_at: string; ended_at: string | null }[];
  prices: { model_id: string; effective_from: string; price_pence: number }[];
  refunds: { id: string; subscription_id: string; amount_pence: number; at: string }[];
  /** The unpaid stretches of those subscriptions (until null: still unpaid). */
  unpaid: { subscription_id: string; since: string; until: string | null }[];
}

export const revenueRepository = {
  async inputs(tx: Queryable, owner: string, startMs: number, endMs: number): Promise<RevenueInputs> {
    const [start, end] = [new Date(startMs).toISOString(), new Date(endMs).toISOString()];
    const [settings] = await tx.query<{ platform_fee_bps: number }>(
      'SELECT platform_fee_bps FROM app.platform_settings',
    );
    const subscriptions = await tx.query<RevenueInputs['subscriptions'][number]>(
      `SELECT id, subscriber, model_id, started_at, ended_at FROM app.subscriptions
       WHERE owner = $1 AND started_at < $3 AND (ended_at IS NULL OR ended_at > $2) ORDER BY started_at, id`,
      [owner, start, end],
    );
    const prices = await tx.query<RevenueInputs['prices'][number]>(
      `SELECT model_id, effective_from, price_pence FROM app.model_prices
       WHERE owner = $1 AND effective_from < $2 ORDER BY model_id, effective_from`,
      [owner, end],
    );
    const refunds = await tx.query<RevenueInputs['refunds'][number]>(
      `SELECT p.id, p.subscription_id, p.amount_pence, p.at FROM app.payments p
       JOIN app.subscriptions x ON x.id = p.subscription_id
       WHERE x.owner = $1 AND p.kind = 'refund' AND p.at >= $2 AND p.at < $3 ORDER BY p.at, p.id`,
      [owner, start, end],
    );
    const unpaid = await tx.query<RevenueInputs['unpaid'][number]>(
      `SELECT u.subscription_id, u.since, u.until FROM app.subscription_unpaid u
       JOIN app.subscriptions x ON x.id = u.subscription_id
       WHERE x.owner = $1 AND u.since < $3 AND (u.until IS NULL OR u.until > $2) ORDER BY u.subscription_id, u.since`,
      [owner, start, end],
    );
    return { platformFeeBps: settings?.platform_fee_bps ?? 2000, subscriptions, prices, refunds, unpaid };
  },

  async findClosed(tx: Queryable, owner: string, month: string): Promise<{ body: string; csv: string } | null> {
    const [row] = await tx.query<{ body: string; csv: string }>(
      'SELECT body, csv FROM app.revenue_statements WHERE owner = $1 AND month = $2',
      [owner, month],
    );
    return row ?? null;
  },

  /** Stores a closed month once; a concurrent close of the same month keeps the first. Returns what is stored. */
  async close(
    tx: Queryable,
    s: {
      owner: string;
      month: string;
      feeBps: number;
      gross: number;
      fee: number;
      vendor: number;
      body: string;
      csv: string;
    },
  ): Promise<{ body: string; csv: string }> {
    await tx.query(
      `INSERT INTO app.revenue_statements
         (owner, month, platform_fee_bps, gross_pence, fee_pence, vendor_pence, body, csv)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (owner, month) DO NOTHING`,
      [s.owner, s.month, s.feeBps, s.gross, s.fee, s.vendor, s.body, s.csv],
    );
    const [row] = await tx.query<{ body: string; csv: string }>(
      'SELECT body, csv FROM app.revenue_statements WHERE owner = $1 AND month = $2',
      [s.owner, s.month],
    );
    return row as { body: string; csv: string };
  },
};
