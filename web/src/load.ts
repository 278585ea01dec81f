/**
 * `useLoad`: the state of one request a view depends on. A refused key (401) anywhere signs
 * the user out at once: every later request would be refused too.
 */
import { useCallback, useEffect, useState } from 'preact/hooks';
import { ApiFailure, session } from './api.js';

export type Loaded<T> =
  | { readonly state: 'loading' }
  | { readonly state: 'done'; readonly value: T }
  | { readonly state: 'failed'; readonly error: unknown };

export const SIGNED_OUT = 'tally:signed-out';

export function signOut(reason?: string): void {
  session.signOut();
  window.dispatchEvent(new CustomEvent(SIGNED_OUT, { detail: reason ?? null }));
}

export function noteFailure(error: unknown): void {
  if (error instanceof ApiFailure && error.kind === 'signed-out') signOut(error.message);
}

export function useLoad<T>(
  load: () => Promise<T>,
  inputs: readonly unknown[],
): Loaded<T> & { retry: () => void } {
  const [loaded, setLoaded] = useState<Loaded<T>>({ state: 'loading' });
  const [attempt, setAttempt] = useState(0);
  useEffect(() => {
    let current = true;
    setLoaded((previous) => (previous.state === 'done' ? previous : { state: 'loading' }));
    load().then(
      (value) => current && setLoaded({ state: 'done', value }),
      (error: unknown) => {
        noteFailure(error);
        if (current) setLoaded({ state: 'failed', error });
      },
    );
    return () => {
      current = false;
    };
  }, [...inputs, attempt]);
  const retry = useCallback(() => setAttempt((n) => n + 1), []);
  return { ...loaded, retry };
}
