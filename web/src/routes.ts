/**
 * The dashboard's URLs, which keep every view's state so a view can be shared:
 *   /?q=sale&tag=promo&archived=1&page=2             the campaigns page
 *   /campaign/<id>?end=2026-12-04&days=30&metric=email.unique_opens&send=<send id>
 * Changing a view's state replaces the URL (no reload); opening another page pushes it.
 */
import { useEffect, useState } from 'preact/hooks';

export type Route =
  | { readonly page: 'campaigns'; readonly query: URLSearchParams }
  | { readonly page: 'campaign'; readonly id: string; readonly query: URLSearchParams };

export function routeOf(location: Location): Route {
  const query = new URLSearchParams(location.search);
  const match = /^\/campaign\/(.+)$/.exec(location.pathname);
  if (match) return { page: 'campaign', id: decodeURIComponent(match[1]!), query };
  return { page: 'campaigns', query };
}

export const campaignPath = (id: string, query?: URLSearchParams): string =>
  `/campaign/${encodeURIComponent(id)}${query && query.size > 0 ? `?${query}` : ''}`;

const ROUTE_CHANGED = 'tally:route';

export function navigate(path: string): void {
  history.pushState(null, '', path);
  window.dispatchEvent(new Event(ROUTE_CHANGED));
  window.scrollTo(0, 0);
}

/** Sets query parameters of the current view (null removes one) without a new history entry. */
export function updateQuery(changes: Readonly<Record<string, string | null>>): void {
  const query = new URLSearchParams(location.search);
  for (const [name, value] of Object.entries(changes)) {
    if (value === null) query.delete(name);
    else query.set(name, value);
  }
  const search = query.size > 0 ? `?${query}` : '';
  history.replaceState(null, '', `${location.pathname}${search}`);
  window.dispatchEvent(new Event(ROUTE_CHANGED));
}

export function useRoute(): Route {
  const [route, setRoute] = useState(() => routeOf(location));
  useEffect(() => {
    const changed = () => setRoute(routeOf(location));
    window.addEventListener('popstate', changed);
    window.addEventListener(ROUTE_CHANGED, changed);
    return () => {
      window.removeEventListener('popstate', changed);
      window.removeEventListener(ROUTE_CHANGED, changed);
    };
  }, []);
  return route;
}

/** A same-origin link that navigates without a reload (and opens a new tab on ctrl/⌘-click). */
export function onLinkClick(event: MouseEvent): void {
  if (event.defaultPrevented || event.button !== 0) return;
  if (event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
  const anchor = event.currentTarget as HTMLAnchorElement;
  event.preventDefault();
  navigate(anchor.pathname + anchor.search);
}
