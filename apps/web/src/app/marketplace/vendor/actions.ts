'use server';
import { CreateApiKeySchema, type CreatedApiKey, RegisterModelSchema } from '@neuronetiq/contracts';
import { revalidatePath } from 'next/cache';
import { z } from 'zod';
import { ApiError, api } from '../../../server/api';
import { viewerForAction } from '../../../server/viewer';

// Server actions: Next accepts them only as POSTs from this origin (its Origin/Host check), so they are CSRF-safe;
// each one re-reads the session and calls the api as that user, which decides what they may change.

export interface FormState {
  ok: boolean;
  message: string | null;
  /** The new API key, returned once and never stored by the web app. */
  key?: string;
}

function failure(err: unknown): FormState {
  if (err instanceof ApiError && err.status < 500) {
    const detail = err.body?.details?.[0];
    return { ok: false, message: detail ? `${detail.path}: ${detail.message}` : err.message };
  }
  return { ok: false, message: 'The service did not answer. Nothing was changed; try again.' };
}

export async function registerModel(_prev: FormState, form: FormData): Promise<FormState> {
  const signedIn = await viewerForAction();
  if ('failed' in signedIn) return { ok: false, message: signedIn.failed };
  const { viewer } = signedIn;
  const parsed = RegisterModelSchema.safeParse({
    model_id: String(form.get('model_id') ?? '').trim(),
    name: form.get('name'),
    description: form.get('description') ?? '',
    visibility: form.get('visibility') ?? 'public',
  });
  if (!parsed.success) {
    const i = parsed.error.issues[0];
    return { ok: false, message: i ? `${i.path.join('.')}: ${i.message}` : 'invalid model' };
  }
  try {
    await api(viewer, '/api/models', { method: 'POST', body: parsed.data });
  } catch (err) {
    return failure(err);
  }
  revalidatePath('/marketplace/vendor');
  return { ok: true, message: `Registered ${parsed.data.model_id}.` };
}

const UpdateForm = z.object({
  model_id: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,62}$/i, { error: 'unknown model' }),
  description: z.string().max(2000, { error: 'description must be at most 2000 characters' }),
  visibility: z.enum(['public', 'private']),
});

export async function updateModel(_prev: FormState, form: FormData): Promise<FormState> {
  const signedIn = await viewerForAction();
  if ('failed' in signedIn) return { ok: false, message: signedIn.failed };
  const { viewer } = signedIn;
  const parsed = UpdateForm.safeParse({
    model_id: form.get('model_id'),
    description: form.get('description') ?? '',
    visibility: form.get('visibility'),
  });
  if (!parsed.success) return { ok: false, message: parsed.error.issues[0]?.message ?? 'invalid change' };
  const { model_id, ...change } = parsed.data;
  try {
    await api(viewer, `/api/models/${encodeURIComponent(model_id)}`, { method: 'PATCH', body: change });
  } catch (err) {
    return failure(err);
  }
  revalidatePath('/marketplace/vendor');
  return { ok: true, message: 'Saved.' };
}

export async function createKey(_prev: FormState, form: FormData): Promise<FormState> {
  const signedIn = await viewerForAction();
  if ('failed' in signedIn) return { ok: false, message: signedIn.failed };
  const { viewer } = signedIn;
  const parsed = CreateApiKeySchema.safeParse({ name: form.get('name') });
  if (!parsed.success) return { ok: false, message: parsed.error.issues[0]?.message ?? 'invalid name' };
  let created: CreatedApiKey;
  try {
    created = (await api<{ data: CreatedApiKey }>(viewer, '/api/keys', { method: 'POST', body: parsed.data })).data;
  } catch (err) {
    return failure(err);
  }
  revalidatePath('/marketplace/vendor');
  return { ok: true, message: `Created ${created.name}.`, key: created.key };
}

export async function revokeKey(_prev: FormState, form: FormData): Promise<FormState> {
  const signedIn = await viewerForAction();
  if ('failed' in signedIn) return { ok: false, message: signedIn.failed };
  const { viewer } = signedIn;
  const id = String(form.get('id') ?? '');
  if (!/^[0-9a-f-]{36}$/i.test(id)) return { ok: false, message: 'unknown key' };
  try {
    await api(viewer, `/api/keys/${id}`, { method: 'DELETE' });
  } catch (err) {
    return failure(err);
  }
  revalidatePath('/marketplace/vendor');
  return { ok: true, message: 'Revoked.' };
}
