// Volume histogram data: API buckets to stacked columns per level.
import type { LogHistogramResponse } from "../../api/types";
import { LEVELS, normalLevel, timeMs } from "./logFormat";

export interface VolumeBucket {
  startMs: number;
  total: number;
  // Count per level, in LEVELS order (missing levels are 0).
  counts: number[];
}

export interface Volume {
  stepMs: number;
  buckets: VolumeBucket[];
  max: number;
  total: number;
  // Levels that occur at all, in LEVELS order.
  levels: string[];
}

// Columns of the histogram; levels outside LEVELS count as "unset".
export function toVolume(response: LogHistogramResponse): Volume {
  const stepMs = Math.max(1, Math.round(response.step_ns / 1e6));
  const seen = new Set<string>();
  let max = 0;
  let total = 0;
  const buckets = response.buckets.map((b) => {
    const counts = LEVELS.map(() => 0);
    for (const [level, n] of Object.entries(b.counts)) {
      const l = normalLevel(level);
      counts[LEVELS.indexOf(l as (typeof LEVELS)[number])] += n;
      if (n > 0) seen.add(l);
    }
    const sum = counts.reduce((a, c) => a + c, 0);
    max = Math.max(max, sum);
    total += sum;
    return { startMs: timeMs(b.time), total: sum, counts };
  });
  return { stepMs, buckets, max, total, levels: LEVELS.filter((l) => seen.has(l)) };
}

// A "nice" axis maximum at or above `max` (1, 2, 5 times a power of ten).
export function niceMax(max: number): number {
  if (max <= 0) return 1;
  const p = Math.pow(10, Math.floor(Math.log10(max)));
  for (const m of [1, 2, 5, 10]) if (m * p >= max) return m * p;
  return 10 * p;
}

// Readable step: `30s`, `5m`, `1h`, `1d`.
export function formatStep(ms: number): string {
  if (ms % 86400e3 === 0) return `${ms / 86400e3}d`;
  if (ms % 3600e3 === 0) return `${ms / 3600e3}h`;
  if (ms % 60e3 === 0) return `${ms / 60e3}m`;
  if (ms % 1e3 === 0) return `${ms / 1e3}s`;
  return `${ms}ms`;
}
