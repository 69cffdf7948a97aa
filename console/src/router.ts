/**
 * Routing by the URL's hash (#/buckets/…): the server serves one page at /, and a reload or a bookmark lands on
 * the same view. Names in a route are percent-encoded segments.
 */
import { useEffect, useState } from 'preact/hooks';

/** The current route's segments, decoded; updates on navigation. */
export function useRoute(): string[] {
  const [hash, setHash] = useState(location.hash);
  useEffect(() => {
    const on = () => setHash(location.hash);
    addEventListener('hashchange', on);
    return () => removeEventListener('hashchange', on);
  }, []);
  return routeOf(hash);
}

function routeOf(hash: string): string[] {
  const parts = hash.replace(/^#\/?/, '').split('/').filter((p) => p !== '');
  try {
    return parts.map(decodeURIComponent);
  } catch {
    return [];
  }
}

/** The href of a route made of `segments` (each encoded). */
export function href(...segments: string[]): string {
  return '#/' + segments.map(encodeURIComponent).join('/');
}

/** Goes to a route. */
export function go(...segments: string[]): void {
  location.hash = href(...segments);
}
