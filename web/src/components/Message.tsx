/** What the page says instead of a broken view: a failure of the API, said with what to do. */
import type { ComponentChildren } from 'preact';
import { ApiFailure } from '../api.js';

const ADVICE: Readonly<Record<ApiFailure['kind'], string>> = {
  'signed-out': 'Sign in again with a valid key.',
  forbidden: 'Ask for a key with that permission (tally key create --permissions ...).',
  invalid: 'Check the address of this page.',
  unavailable:
    "Tally cannot answer right now: its store may be down. Check the server's logs and /readyz, then retry.",
};

export function Message({
  title,
  children,
  tone = 'info',
}: {
  title: string;
  children?: ComponentChildren;
  tone?: 'info' | 'error';
}) {
  return (
    <div class={`message ${tone}`} role={tone === 'error' ? 'alert' : 'status'}>
      <strong>{title}</strong>
      {children && <div>{children}</div>}
    </div>
  );
}

export function FailureMessage({ error, retry }: { error: unknown; retry?: () => void }) {
  const failure =
    error instanceof ApiFailure
      ? error
      : new ApiFailure('unavailable', error instanceof Error ? error.message : String(error), '');
  return (
    <Message tone="error" title={failure.message}>
      {ADVICE[failure.kind]}
      {retry && (
        <button type="button" class="link" onClick={retry}>
          Retry
        </button>
      )}
    </Message>
  );
}
