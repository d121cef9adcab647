import type { ReactNode } from "react";

export interface StatTileProps {
  label: string;
  value: ReactNode;
  sub?: ReactNode;
  tone?: "error" | "warn" | "ok";
  testId?: string;
  children?: ReactNode;
}

// One headline figure (requests, error rate, p95...) with a label and an optional sparkline.
export function StatTile({ label, value, sub, tone, testId, children }: StatTileProps) {
  return (
    <div className={`stat-tile${tone ? ` tone-${tone}` : ""}`} data-testid={testId}>
      <div className="stat-label">{label}</div>
      <div className="stat-value">{value}</div>
      {sub && <div className="stat-sub">{sub}</div>}
      {children}
    </div>
  );
}
