// Sorting of table rows by a column, with missing values always last.

export type SortValue = number | string | null | undefined;

export interface SortSpec {
  key: string;
  desc: boolean;
}

// "-p95_ms" → {key: "p95_ms", desc: true}; "" → the fallback.
export function parseSort(text: string, fallback: SortSpec): SortSpec {
  if (!text) return fallback;
  return text.startsWith("-") ? { key: text.slice(1), desc: true } : { key: text, desc: false };
}

export function formatSort(spec: SortSpec): string {
  return spec.desc ? `-${spec.key}` : spec.key;
}

let collator: Intl.Collator | undefined;

// Compares two values ascending; null, undefined and NaN sort after everything.
export function compareValues(a: SortValue, b: SortValue): number {
  const missingA = a == null || (typeof a === "number" && Number.isNaN(a));
  const missingB = b == null || (typeof b === "number" && Number.isNaN(b));
  if (missingA || missingB) return missingA === missingB ? 0 : missingA ? 1 : -1;
  if (typeof a === "number" && typeof b === "number") return a - b;
  // One collator for every comparison: localeCompare with options builds one per call.
  collator ??= new Intl.Collator(undefined, { numeric: true, sensitivity: "base" });
  return collator.compare(String(a), String(b));
}

// A sorted copy of `rows`; missing values stay last in both directions; ties keep their order.
export function sortRows<T>(rows: readonly T[], value: (row: T) => SortValue, desc: boolean): T[] {
  return rows
    .map((row, i) => ({ row, i, v: value(row) }))
    .sort((x, y) => {
      const missingX = x.v == null || (typeof x.v === "number" && Number.isNaN(x.v));
      const missingY = y.v == null || (typeof y.v === "number" && Number.isNaN(y.v));
      if (missingX || missingY) return missingX === missingY ? x.i - y.i : missingX ? 1 : -1;
      const c = compareValues(x.v, y.v);
      return (desc ? -c : c) || x.i - y.i;
    })
    .map((x) => x.row);
}
