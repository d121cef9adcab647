import { useEffect, useState } from "react";

// How many of `total` list items to render: at most `first` until the page has painted, then all
// of them (a long list's rows below the fold would otherwise delay the first render).
export function useProgressive(total: number, first: number): number {
  const [limit, setLimit] = useState(first);
  useEffect(() => {
    if (total <= limit) return;
    const id = setTimeout(() => setLimit(total), 0);
    return () => clearTimeout(id);
  }, [total, limit]);
  return Math.min(total, limit);
}
