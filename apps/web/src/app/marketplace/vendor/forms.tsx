'use client';
import type { ApiKey, Model } from '@neuronetiq/contracts';
import { useActionState, useState } from 'react';
import { LocalTime } from '../../../components/local-time';
import { createKey, type FormState, registerModel, revokeKey, updateModel } from './actions';

const initial: FormState = { ok: false, message: null };

function Message({ state }: { state: FormState }) {
  if (!state.message) return null;
  return (
    <p role={state.ok ? 'status' : 'alert'} className={`text-sm ${state.ok ? 'text-buy' : 'text-sell'}`}>
      {state.message}
    </p>
  );
}

export function RegisterModelForm() {
  const [state, action, pending] = useActionState(registerModel, initial);
  return (
    <form action={action} className="grid gap-3 p-4 sm:grid-cols-2" data-testid="register-model-form">
      <div>
        <label htmlFor="model_id" className="label">
          Model id
        </label>
        <input id="model_id" name="model_id" required placeholder="momentum-v1" className="input font-mono" />
      </div>
      <div>
        <label htmlFor="model_name" className="label">
          Name
        </label>
        <input id="model_name" name="name" required placeholder="Momentum v1" className="input" />
      </div>
      <div className="sm:col-span-2">
        <label htmlFor="model_description" className="label">
          Description
        </label>
        <textarea id="model_description" name="description" rows={2} className="input" />
      </div>
      <div>
        <label htmlFor="model_visibility" className="label">
          Visibility
        </label>
        <select id="model_visibility" name="visibility" className="input" defaultValue="public">
          <option value="public">Public: listed in the marketplace</option>
          <option value="private">Private: only you</option>
        </select>
      </div>
      <div className="flex items-end gap-3">
        <button type="submit" className="btn-primary" disabled={pending}>
          {pending ? 'Registering…' : 'Register model'}
        </button>
        <Message state={state} />
      </div>
    </form>
  );
}

export function EditModelForm({ model }: { model: Model }) {
  const [state, action, pending] = useActionState(updateModel, initial);
  const id = `edit-${model.model_id}`;
  return (
    <form action={action} className="space-y-2" data-testid={`edit-model-${model.model_id}`}>
      <input type="hidden" name="model_id" value={model.model_id} />
      <label htmlFor={`${id}-description`} className="sr-only">
        Description of {model.model_id}
      </label>
      <textarea
        id={`${id}-description`}
        name="description"
        rows={2}
        defaultValue={model.description}
        className="input"
        placeholder="What it trades and how"
      />
      <div className="flex flex-wrap items-center gap-2">
        <label htmlFor={`${id}-visibility`} className="sr-only">
          Visibility of {model.model_id}
        </label>
        <select id={`${id}-visibility`} name="visibility" defaultValue={model.visibility} className="input w-auto">
          <option value="public">Public</option>
          <option value="private">Private</option>
        </select>
        <button type="submit" className="btn-secondary" disabled={pending}>
          {pending ? 'Saving…' : 'Save'}
        </button>
        <Message state={state} />
      </div>
    </form>
  );
}

export function CreateKeyForm() {
  const [state, action, pending] = useActionState(createKey, initial);
  const [copied, setCopied] = useState(false);
  return (
    <div className="space-y-3 p-4">
      <form action={action} className="flex flex-wrap items-end gap-2" data-testid="create-key-form">
        <div className="min-w-48 flex-1">
          <label htmlFor="key_name" className="label">
            Key name
          </label>
          <input id="key_name" name="name" required placeholder="production model server" className="input" />
        </div>
        <button type="submit" className="btn-primary" disabled={pending}>
          {pending ? 'Creating…' : 'Create API key'}
        </button>
      </form>
      {state.key ? (
        <div className="rounded-lg border border-buy/40 bg-buy/5 p-3" role="status">
          <p className="text-sm font-medium">Copy this key now: it is shown only once.</p>
          <div className="mt-2 flex items-center gap-2">
            <code
              className="block flex-1 overflow-x-auto rounded bg-surface-2 px-2 py-1.5 font-mono text-xs"
              data-testid="new-api-key"
            >
              {state.key}
            </code>
            <button
              type="button"
              className="btn-secondary"
              onClick={() => {
                void navigator.clipboard?.writeText(state.key ?? '').then(() => setCopied(true));
              }}
            >
              {copied ? 'Copied' : 'Copy'}
            </button>
          </div>
        </div>
      ) : (
        <Message state={state} />
      )}
    </div>
  );
}

export function RevokeKeyButton({ apiKey }: { apiKey: ApiKey }) {
  const [state, action, pending] = useActionState(revokeKey, initial);
  return (
    <form action={action} className="flex items-center justify-end gap-2">
      <input type="hidden" name="id" value={apiKey.id} />
      {!state.ok && <Message state={state} />}
      <button type="submit" className="btn-danger" disabled={pending} aria-label={`Revoke ${apiKey.name}`}>
        {pending ? 'Revoking…' : 'Revoke'}
      </button>
    </form>
  );
}

export function KeyRow({ apiKey }: { apiKey: ApiKey }) {
  return (
    <tr data-testid="api-key-row">
      <td className="td font-medium">{apiKey.name}</td>
      <td className="td font-mono text-xs">mp_{apiKey.prefix}_…</td>
      <td className="td hidden text-muted sm:table-cell">
        <LocalTime iso={apiKey.created_at} />
      </td>
      <td className="td hidden text-muted md:table-cell">
        {apiKey.last_used_at ? <LocalTime iso={apiKey.last_used_at} relative /> : 'never'}
      </td>
      <td className="td">
        {apiKey.revoked_at ? (
          <span className="badge bg-surface-2 text-muted">revoked</span>
        ) : (
          <RevokeKeyButton apiKey={apiKey} />
        )}
      </td>
    </tr>
  );
}
