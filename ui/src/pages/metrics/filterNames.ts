// Names matching a typed filter: every whitespace-separated part must occur (case-insensitive);
// names starting with the filter come first, then the rest alphabetically.
export function filterNames(names: string[], filter: string, limit = 200): string[] {
  const parts = filter.toLowerCase().split(/\s+/).filter(Boolean);
  const f = filter.trim().toLowerCase();
  const hits = names.filter((n) => {
    const l = n.toLowerCase();
    return parts.every((p) => l.includes(p));
  });
  hits.sort((a, b) => {
    const pa = a.toLowerCase().startsWith(f) ? 0 : 1;
    const pb = b.toLowerCase().startsWith(f) ? 0 : 1;
    return pa - pb || a.localeCompare(b);
  });
  return hits.slice(0, limit);
}
