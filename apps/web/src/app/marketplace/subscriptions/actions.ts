'use server';
import { PayInvoiceSchema, SubscribeSchema } from '@neuronetiq/contracts';
import { revalidatePath } from 'next/cache';
import { subscriptionFailure } from '../../../lib/subscriptions';
import { ApiError, api } from '../../../server/api';
import { getViewer } from '../../../server/viewer';

// Subscribe and cancel as the signed-in person: each action re-reads the session and calls the api with that user's
// minted token (never the service key), so the api decides; Next accepts server actions only as same-origin POSTs.

export interface SubscriptionFormState {
  ok: boolean;
  message: string | null;
  /** The card was declined: the form marks its card field as the one to change. */
  declined?: boolean;
}

const failed = (err: unknown): SubscriptionFormState => ({
  ok: false,
  message:
    err instanceof ApiError
      ? subscriptionFailure(err.status, err.body?.message ?? null)
      : subscriptionFailure(null, null),
  declined: err instanceof ApiError && err.body?.error === 'PAYMENT_DECLINED',
});

/** The form's card, when it has one (a free model's form has none). */
const paymentMethodOf = (form: FormData) => {
  const v = form.get('payment_method');
  return typeof v === 'string' && v !== '' ? { payment_method: v } : {};
};

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const modelPath = (owner: string, modelId: string) => `/marketplace/models/${owner}/${modelId}`;

export async function subscribe(_prev: SubscriptionFormState, form: FormData): Promise<SubscriptionFormState> {
  const viewer = await getViewer().catch(() => null);
  if (!viewer) return { ok: false, message: 'Your session ended. Sign in again.' };
  const parsed = SubscribeSchema.safeParse({
    owner: form.get('owner'),
    model_id: form.get('model_id'),
    ...paymentMethodOf(form),
  });
  if (!parsed.success) return { ok: false, message: 'Unknown model or card.' };
  try {
    await api(viewer, '/api/subscriptions', { method: 'POST', body: parsed.data });
  } catch (err) {
    return failed(err);
  }
  revalidatePath(modelPath(parsed.data.owner, parsed.data.model_id));
  revalidatePath('/marketplace/subscriptions');
  return { ok: true, message: `Subscribed to ${parsed.data.owner}/${parsed.data.model_id}.` };
}

export async function cancelSubscription(_prev: SubscriptionFormState, form: FormData): Promise<SubscriptionFormState> {
  const viewer = await getViewer().catch(() => null);
  if (!viewer) return { ok: false, message: 'Your session ended. Sign in again.' };
  const id = String(form.get('id') ?? '');
  if (!UUID.test(id)) {
    return { ok: false, message: 'Unknown subscription.' };
  }
  let ended: { data: { owner: string; model_id: string } };
  try {
    ended = await api(viewer, `/api/subscriptions/${id}`, { method: 'DELETE' });
  } catch (err) {
    return failed(err);
  }
  revalidatePath(modelPath(ended.data.owner, ended.data.model_id));
  revalidatePath('/marketplace/subscriptions');
  return { ok: true, message: `Cancelled your subscription to ${ended.data.owner}/${ended.data.model_id}.` };
}

/** Pay a past-due subscription now (with the chosen card): live again at once, or the decline said. */
export async function payOpenInvoice(_prev: SubscriptionFormState, form: FormData): Promise<SubscriptionFormState> {
  const viewer = await getViewer().catch(() => null);
  if (!viewer) return { ok: false, message: 'Your session ended. Sign in again.' };
  const id = String(form.get('id') ?? '');
  const body = PayInvoiceSchema.safeParse(paymentMethodOf(form));
  if (!UUID.test(id) || !body.success) return { ok: false, message: 'Unknown subscription or card.' };
  let paid: { data: { owner: string; model_id: string } };
  try {
    paid = await api(viewer, `/api/subscriptions/${id}/pay`, { method: 'POST', body: body.data });
  } catch (err) {
    return failed(err);
  }
  revalidatePath(modelPath(paid.data.owner, paid.data.model_id));
  revalidatePath('/marketplace/subscriptions');
  return { ok: true, message: `Paid: your subscription to ${paid.data.owner}/${paid.data.model_id} is live again.` };
}
