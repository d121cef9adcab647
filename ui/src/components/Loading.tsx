// A placeholder of fixed height shown while data loads, so the layout does not jump.
export function Loading({ height = 120, label = "Loading…" }: { height?: number; label?: string }) {
  return (
    <div className="loading" style={{ minHeight: height }} role="status" aria-live="polite" data-testid="loading">
      <span className="spinner" aria-hidden="true" />
      {label}
    </div>
  );
}
