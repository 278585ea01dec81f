/**
 * Sign-in: the key is checked against `GET /workspace` and kept in sessionStorage only
 * (api.ts). The field is a password field, so the key is not shown or offered for autofill.
 */
import { useState } from 'preact/hooks';
import { ApiFailure, apiGet, session } from '../api.js';
import { Message } from './Message.js';

export function SignIn({ reason, onSignedIn }: { reason: string | null; onSignedIn: () => void }) {
  const [key, setKey] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    session.signIn(key.trim());
    try {
      await apiGet('/workspace');
      onSignedIn();
    } catch (failure) {
      session.signOut();
      setError(
        failure instanceof ApiFailure && failure.kind === 'signed-out'
          ? `This key was refused: ${failure.message}. Paste a key from \`tally key create\` (or the one \`tally demo\` printed).`
          : failure instanceof Error
            ? failure.message
            : String(failure),
      );
    } finally {
      setBusy(false);
    }
  };
  return (
    <form class="signin" onSubmit={submit}>
      <h1>Sign in</h1>
      <p class="muted">
        The dashboard reads Tally's API with your key. It stays in this tab only (session storage)
        and is sent only in request headers.
      </p>
      {reason && !error && <Message tone="error" title={`Signed out: ${reason}`} />}
      {error && <Message tone="error" title={error} />}
      <label for="api-key">API key</label>
      <input
        id="api-key"
        type="password"
        autocomplete="off"
        spellcheck={false}
        required
        value={key}
        onInput={(event) => setKey((event.currentTarget as HTMLInputElement).value)}
      />
      <button type="submit" disabled={busy || key.trim() === ''}>
        Sign in
      </button>
    </form>
  );
}
