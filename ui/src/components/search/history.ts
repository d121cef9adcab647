// Recent queries per search bar, newest first, kept in localStorage (at most 20, no duplicates).

const MAX = 20;

function storageKey(key: string): string {
  return `periscope.history.${key}`;
}

export function loadHistory(key: string): string[] {
  try {
    const raw = localStorage.getItem(storageKey(key));
    const parsed: unknown = raw ? JSON.parse(raw) : [];
    return Array.isArray(parsed) ? parsed.filter((x): x is string => typeof x === "string") : [];
  } catch {
    return [];
  }
}

// Puts `query` first in the history of `key` and returns the new list; empty queries are skipped.
export function pushHistory(key: string, query: string): string[] {
  const q = query.trim();
  const list = loadHistory(key);
  if (!q) return list;
  const next = [q, ...list.filter((x) => x !== q)].slice(0, MAX);
  try {
    localStorage.setItem(storageKey(key), JSON.stringify(next));
  } catch {
    // storage full or disabled: history is a convenience only
  }
  return next;
}
