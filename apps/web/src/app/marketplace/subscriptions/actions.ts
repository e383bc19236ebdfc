'use server';
import { SubscribeSchema } from '@neuronetiq/contracts';
import { revalidatePath } from 'next/cache';
import { subscriptionFailure } from '../../../lib/subscriptions';
import { ApiError, api } from '../../../server/api';
import { getViewer } from '../../../server/viewer';

// Subscribe and cancel as the signed-in person: each action re-reads the session and calls the api with that user's
// minted token (never the service key), so the api decides; Next accepts server actions only as same-origin POSTs.

export interface SubscriptionFormState {
  ok: boolean;
  message: string | null;
}

const failed = (err: unknown): SubscriptionFormState => ({
  ok: false,
  message:
    err instanceof ApiError
      ? subscriptionFailure(err.status, err.body?.message ?? null)
      : subscriptionFailure(null, null),
});

const modelPath = (owner: string, modelId: string) => `/marketplace/models/${owner}/${modelId}`;

export async function subscribe(_prev: SubscriptionFormState, form: FormData): Promise<SubscriptionFormState> {
  const viewer = await getViewer().catch(() => null);
  if (!viewer) return { ok: false, message: 'Your session ended. Sign in again.' };
  const parsed = SubscribeSchema.safeParse({ owner: form.get('owner'), model_id: form.get('model_id') });
  if (!parsed.success) return { ok: false, message: 'Unknown model.' };
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
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id)) {
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
