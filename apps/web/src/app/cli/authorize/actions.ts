'use server';
import { DeviceApproveSchema } from '@neuronetiq/contracts';
import { ApiError, api } from '../../../server/api';
import { getViewer } from '../../../server/viewer';

export interface ApproveState {
  outcome: 'approved' | 'denied' | null;
  error: string | null;
}

/** Approves or denies an `mp login` code as the signed-in user (the api checks the user's session token). */
export async function decide(_prev: ApproveState, form: FormData): Promise<ApproveState> {
  const viewer = await getViewer();
  if (!viewer) return { outcome: null, error: 'Your session ended. Sign in again, then approve.' };
  const parsed = DeviceApproveSchema.safeParse({
    user_code: form.get('user_code'),
    approve: form.get('decision') === 'approve',
  });
  if (!parsed.success) return { outcome: null, error: parsed.error.issues[0]?.message ?? 'invalid code' };
  try {
    await api(viewer, '/api/cli/device/approve', { method: 'POST', body: parsed.data });
  } catch (err) {
    if (err instanceof ApiError && err.status < 500) return { outcome: null, error: err.message };
    return { outcome: null, error: 'The service did not answer. Try again in a moment.' };
  }
  return { outcome: parsed.data.approve ? 'approved' : 'denied', error: null };
}
