import { forwardRef, useEffect, useImperativeHandle, useRef, useState } from "react";
import { useGlobals } from "../state/globals";
import { PRESETS, formatRange, isRelative, parseRelativeInput, shiftRange, zoomOutRange } from "../state/timeRange";

function toLocalInput(ms: number): string {
  const d = new Date(ms - new Date(ms).getTimezoneOffset() * 60000);
  return d.toISOString().slice(0, 19);
}

export interface TimeRangePickerHandle {
  toggle: () => void;
  shift: (direction: number) => void;
  zoomOut: () => void;
}

// Relative presets, a typed relative range ("3h"), an absolute from/to form, earlier/later,
// zoom out and refresh. Escape closes the popover.
export const TimeRangePicker = forwardRef<TimeRangePickerHandle>(function TimeRangePicker(_props, ref) {
  const { range, resolved, setRange } = useGlobals();
  const [open, setOpen] = useState(false);
  const [from, setFrom] = useState("");
  const [to, setTo] = useState("");
  const [relative, setRelative] = useState("");
  const [invalid, setInvalid] = useState("");
  const box = useRef<HTMLDivElement>(null);
  const toggle = () => {
    setFrom(toLocalInput(resolved.startMs));
    setTo(toLocalInput(resolved.endMs));
    setRelative("");
    setInvalid("");
    setOpen((o) => !o);
  };
  const shift = (direction: number) => setRange(shiftRange(range, resolved, direction));
  const zoomOut = () => setRange(zoomOutRange(resolved));
  useImperativeHandle(ref, () => ({ toggle, shift, zoomOut }));
  useEffect(() => {
    if (!open) return;
    const onKey = (e: KeyboardEvent) => e.key === "Escape" && setOpen(false);
    const onDown = (e: MouseEvent) => {
      if (box.current && !box.current.contains(e.target as Node)) setOpen(false);
    };
    window.addEventListener("keydown", onKey);
    window.addEventListener("mousedown", onDown);
    return () => {
      window.removeEventListener("keydown", onKey);
      window.removeEventListener("mousedown", onDown);
    };
  }, [open]);
  return (
    <div className="time-picker" ref={box}>
      <button className="icon" title="Earlier ([)" aria-label="Earlier" onClick={() => shift(-1)} data-testid="time-earlier">
        ‹
      </button>
      <button onClick={toggle} data-testid="time-range" title="Time range (t)" className="time-range-button">
        {formatRange(range)}
      </button>
      <button className="icon" title="Later (])" aria-label="Later" onClick={() => shift(1)} data-testid="time-later">
        ›
      </button>
      <button className="icon" title="Zoom out (-)" aria-label="Zoom out" onClick={zoomOut} data-testid="time-zoom-out">
        −
      </button>
      <button className="icon" title="Refresh (r)" aria-label="Refresh" onClick={() => setRange(range)}>
        ⟳
      </button>
      {open && (
        <div className="popover" data-testid="time-popover">
          <form
            onSubmit={(e) => {
              e.preventDefault();
              const r = parseRelativeInput(relative);
              if (!r) {
                setInvalid("Type a duration like 15m, 3h or 2d");
                return;
              }
              setRange(r);
              setOpen(false);
            }}
          >
            <input
              autoFocus
              placeholder="Last… e.g. 3h, 45m, 2d"
              value={relative}
              onChange={(e) => setRelative(e.target.value)}
              aria-label="Relative range"
              data-testid="time-relative"
            />
          </form>
          <div className="presets">
            {PRESETS.map((p) => (
              <button
                key={p.from}
                className={isRelative(range) && range.from === p.from ? "active" : ""}
                onClick={() => {
                  setRange({ from: p.from, to: "now" });
                  setOpen(false);
                }}
              >
                {p.label}
              </button>
            ))}
          </div>
          <form
            onSubmit={(e) => {
              e.preventDefault();
              const f = Date.parse(from);
              const t = Date.parse(to);
              if (Number.isNaN(f) || Number.isNaN(t) || f >= t) {
                setInvalid("From must be before To");
                return;
              }
              setRange({ from: String(f), to: String(t) });
              setOpen(false);
            }}
          >
            <label>
              From
              <input type="datetime-local" step={1} value={from} onChange={(e) => setFrom(e.target.value)} data-testid="time-from" />
            </label>
            <label>
              To <input type="datetime-local" step={1} value={to} onChange={(e) => setTo(e.target.value)} data-testid="time-to" />
            </label>
            <button type="submit" data-testid="time-apply">
              Apply absolute range
            </button>
          </form>
          {invalid && <div className="error-text">{invalid}</div>}
        </div>
      )}
    </div>
  );
});
