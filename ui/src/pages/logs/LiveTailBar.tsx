import type { TailStatus } from "./useLiveTail";
import { groupDigits } from "../../components/format";

export interface LiveTailBarProps {
  live: boolean;
  paused: boolean;
  status: TailStatus;
  pending: number;
  count: number;
  onLive: (on: boolean) => void;
  onPause: (paused: boolean) => void;
  onClear: () => void;
}

const STATUS_TEXT: Record<TailStatus, string> = {
  off: "",
  connecting: "connecting…",
  live: "streaming",
  error: "tail unavailable",
};

// The live-tail switch with its pause/resume and clear buttons and the stream status.
export function LiveTailBar({ live, paused, status, pending, count, onLive, onPause, onClear }: LiveTailBarProps) {
  return (
    <div className="livetail" data-testid="live-tail">
      <button
        className={live ? "active" : ""}
        aria-pressed={live}
        onClick={() => onLive(!live)}
        title={live ? "Stop live tail and show the time range" : "Stream new logs as they arrive"}
        data-testid="live-toggle"
      >
        <span className={`live-dot${live && status === "live" && !paused ? " on" : ""}`} /> Live tail
      </button>
      {live && (
        <>
          <button onClick={() => onPause(!paused)} aria-pressed={paused} data-testid="live-pause">
            {paused ? (pending > 0 ? `Resume (${groupDigits(pending)} new)` : "Resume") : "Pause"}
          </button>
          <button onClick={onClear} disabled={count === 0} title="Clear the streamed rows">
            Clear
          </button>
          <span className={status === "error" ? "error-text" : "muted"} data-testid="live-status">
            {paused ? "paused" : STATUS_TEXT[status]}
          </span>
        </>
      )}
    </div>
  );
}
