import type { ServiceMapResponse } from "../../api/types";

export type MapNode = ServiceMapResponse["nodes"][number] & { requests?: number; p95_ms: number | null };
export type MapEdge = ServiceMapResponse["edges"][number] & { requests?: number; p95_ms: number | null };

// Edge stroke width in px: 1.5 for the quietest edge up to 8 for the busiest (square-root scale).
export function edgeWidth(rate: number, maxRate: number): number {
  if (!(maxRate > 0) || !(rate > 0)) return 1.5;
  return 1.5 + 6.5 * Math.sqrt(Math.min(1, rate / maxRate));
}

// "error" above 5% errors, "warn" above 1%, else "".
export function errorClass(ratio: number | null | undefined): "" | "warn" | "error" {
  if (ratio == null) return "";
  if (ratio > 0.05) return "error";
  if (ratio > 0.01) return "warn";
  return "";
}

// A cubic Bézier from the right side of the client box to the left side of the server box; an
// edge going back (or within a column) loops below the boxes.
export function edgePath(
  from: { x: number; y: number },
  to: { x: number; y: number },
  nodeWidth: number,
  nodeHeight: number,
): string {
  const x1 = from.x + nodeWidth;
  const y1 = from.y + nodeHeight / 2;
  const x2 = to.x;
  const y2 = to.y + nodeHeight / 2;
  if (x2 > x1) {
    const dx = (x2 - x1) / 2;
    return `M${x1},${y1} C${x1 + dx},${y1} ${x2 - dx},${y2} ${x2},${y2}`;
  }
  const drop = Math.max(from.y, to.y) + nodeHeight + 30;
  return `M${x1},${y1} C${x1 + 60},${drop} ${x2 - 60},${drop} ${x2},${y2}`;
}
