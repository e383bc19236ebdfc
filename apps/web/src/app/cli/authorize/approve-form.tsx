'use client';
import { useActionState } from 'react';
import { type ApproveState, decide } from './actions';

const initial: ApproveState = { outcome: null, error: null };

export function ApproveForm({ code, owner }: { code: string; owner: string }) {
  const [state, action, pending] = useActionState(decide, initial);
  if (state.outcome === 'approved') {
    return (
      <p role="status" className="rounded-lg bg-buy/10 p-4 text-sm text-buy" data-testid="cli-approved">
        Approved. The CLI now holds a new API key for <strong>{owner}</strong>; return to your terminal.
      </p>
    );
  }
  if (state.outcome === 'denied') {
    return (
      <p role="status" className="rounded-lg bg-surface-2 p-4 text-sm" data-testid="cli-denied">
        Denied. The CLI will report that the sign-in was refused.
      </p>
    );
  }
  return (
    <form action={action} className="space-y-3">
      <input type="hidden" name="user_code" value={code} />
      <div className="flex gap-3">
        <button type="submit" name="decision" value="approve" className="btn-primary flex-1" disabled={pending}>
          Approve
        </button>
        <button type="submit" name="decision" value="deny" className="btn-secondary flex-1" disabled={pending}>
          Deny
        </button>
      </div>
      {state.error && (
        <p role="alert" className="text-sm text-sell">
          {state.error}
        </p>
      )}
    </form>
  );
}
