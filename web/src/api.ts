/**
 * The dashboard's only way to the data: Tally's public API, with the key the user pasted.
 * The key lives in sessionStorage (gone when the tab closes) and travels only in the
 * Authorization header, never in a URL. Every failure becomes an ApiFailure whose `kind` tells
 * the page what to say: sign in again, ask for a permission, or wait for the store.
 */
const KEY_SLOT = 'tally.key';

export const session = {
  key: (): string | null => sessionStorage.getItem(KEY_SLOT),
  signIn: (key: string): void => sessionStorage.setItem(KEY_SLOT, key),
  signOut: (): void => sessionStorage.removeItem(KEY_SLOT),
};

export type FailureKind = 'signed-out' | 'forbidden' | 'invalid' | 'unavailable';

export class ApiFailure extends Error {
  constructor(
    readonly kind: FailureKind,
    message: string,
    readonly path: string,
  ) {
    super(message);
  }
}

/** What the server's permission for each path is (SPEC §6), for the 403 message. */
export const PERMISSION_OF: Readonly<Record<string, string>> = {
  '/campaigns/list': 'campaigns.list',
  '/campaigns/details': 'campaigns.details',
  '/campaigns/data_series': 'campaigns.data_series',
  '/sends/data_series': 'sends.data_series',
  '/sends/list': 'sends.data_series',
  '/campaigns/data_series/explain': 'campaigns.data_series',
  '/sends/data_series/explain': 'sends.data_series',
};

type Params = Readonly<Record<string, string | number | boolean | undefined>>;

function urlOf(path: string, params: Params): string {
  const query = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) {
    if (value !== undefined) query.set(name, String(value));
  }
  const text = query.toString();
  return text ? `${path}?${text}` : path;
}

async function request(path: string, params: Params): Promise<Response> {
  const key = session.key();
  if (!key) throw new ApiFailure('signed-out', 'Sign in with an API key.', path);
  let response: Response;
  try {
    response = await fetch(urlOf(path, params), { headers: { authorization: `Bearer ${key}` } });
  } catch {
    throw new ApiFailure(
      'unavailable',
      'The Tally server did not answer. Check that it is running, then retry.',
      path,
    );
  }
  if (response.ok) return response;
  const body = (await response.json().catch(() => ({}))) as { message?: unknown };
  const message = typeof body.message === 'string' ? body.message : response.statusText;
  if (response.status === 401) throw new ApiFailure('signed-out', message, path);
  if (response.status === 403) {
    const permission = PERMISSION_OF[path] ?? path;
    throw new ApiFailure(
      'forbidden',
      `This key lacks the ${permission} permission, which ${path} needs.`,
      path,
    );
  }
  if (response.status >= 500 || response.status === 429) {
    throw new ApiFailure('unavailable', `${path} answered ${response.status}: ${message}`, path);
  }
  throw new ApiFailure('invalid', message, path);
}

export async function apiGet<T>(path: string, params: Params = {}): Promise<T> {
  return (await (await request(path, params)).json()) as T;
}

export async function apiText(path: string, params: Params = {}): Promise<string> {
  return (await request(path, params)).text();
}

/** Runs `tasks` with at most `limit` in flight (a page's rows load without a request storm). */
export async function inBatches<T>(
  tasks: readonly (() => Promise<T>)[],
  limit: number,
): Promise<PromiseSettledResult<T>[]> {
  const results: PromiseSettledResult<T>[] = new Array(tasks.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < tasks.length) {
      const index = next++;
      try {
        results[index] = { status: 'fulfilled', value: await tasks[index]!() };
      } catch (reason) {
        results[index] = { status: 'rejected', reason };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, tasks.length) }, worker));
  return results;
}
