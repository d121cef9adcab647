import { useMemo, useRef, useState, type MouseEvent } from "react";
import { formatMs, formatPct, formatRate } from "../../components/format";
import { layoutGraph } from "./layout";
import { edgePath, edgeWidth, errorClass, type MapEdge, type MapNode } from "./mapStyle";

const NODE_W = 160;
const NODE_H = 46;
const PAD = 20;

export interface MapGraphProps {
  nodes: MapNode[];
  edges: MapEdge[];
  // A service to highlight with its neighbours.
  focus?: string;
  onOpen: (service: string) => void;
}

type Hover = { kind: "node"; node: MapNode } | { kind: "edge"; edge: MapEdge };

// The service graph as SVG: boxes in layers left to right, edges as thick-by-rate curves, red by
// error rate, tooltips on hover; click or Enter on a service opens its page.
export function MapGraph({ nodes, edges, focus, onOpen }: MapGraphProps) {
  const layout = useMemo(
    () => layoutGraph(nodes.map((n) => n.service), edges.map((e) => ({ from: e.client, to: e.server })), { nodeWidth: NODE_W, nodeHeight: NODE_H, columnGap: 80 }),
    [nodes, edges],
  );
  const [hover, setHover] = useState<{ h: Hover; x: number; y: number } | undefined>();
  const maxRate = Math.max(0, ...edges.map((e) => e.rate));
  const active = hover?.h.kind === "node" ? hover.h.node.service : focus;
  const related = (e: MapEdge) => active !== undefined && (e.client === active || e.server === active);
  const width = layout.width + 2 * PAD;
  const height = layout.height + 2 * PAD + 50;
  const canvas = useRef<HTMLDivElement>(null);
  const onMove = (h: Hover) => (ev: MouseEvent) => {
    const box = canvas.current!.getBoundingClientRect();
    setHover({ h, x: ev.clientX - box.left + 14, y: ev.clientY - box.top + 14 });
  };
  return (
    <div className="map-canvas" data-testid="service-map" ref={canvas}>
      <svg
        width="100%"
        style={{ maxWidth: width, aspectRatio: `${width} / ${height}` }}
        viewBox={`${-PAD} ${-PAD} ${width} ${height}`}
        role="img"
        aria-label="Service map"
      >
        <defs>
          {["", "warn", "error"].map((c) => (
            <marker key={c} id={`arrow${c}`} viewBox="0 0 10 10" refX="9" refY="5" markerUnits="userSpaceOnUse" markerWidth="10" markerHeight="10" orient="auto-start-reverse">
              <path d="M0,0 L10,5 L0,10 z" fill={c === "error" ? "var(--error)" : c === "warn" ? "var(--warn)" : "var(--muted)"} />
            </marker>
          ))}
        </defs>
        {edges.map((e) => {
          const from = layout.positions.get(e.client);
          const to = layout.positions.get(e.server);
          if (!from || !to) return null;
          const d = edgePath(from, to, NODE_W, NODE_H);
          const cls = errorClass(e.error_rate);
          return (
            <g
              key={`${e.client}->${e.server}`}
              className={`map-edge ${cls}${related(e) ? " hovered" : ""}`}
              data-testid="map-edge"
              data-client={e.client}
              data-server={e.server}
              onMouseMove={onMove({ kind: "edge", edge: e })}
              onMouseLeave={() => setHover(undefined)}
            >
              <path className="line" d={d} strokeWidth={edgeWidth(e.rate, maxRate)} markerEnd={`url(#arrow${cls})`} />
              <path className="hit" d={d} />
            </g>
          );
        })}
        {nodes.map((n) => {
          const p = layout.positions.get(n.service);
          if (!p) return null;
          const cls = errorClass(n.error_rate);
          const open = () => !n.virtual && onOpen(n.service);
          return (
            <g
              key={n.service}
              transform={`translate(${p.x},${p.y})`}
              className={`map-node ${cls}${n.virtual ? " virtual" : " clickable"}${active === n.service ? " hovered" : ""}`}
              tabIndex={n.virtual ? undefined : 0}
              role={n.virtual ? undefined : "link"}
              aria-label={n.virtual ? `${n.service} (not traced)` : `Open service ${n.service}`}
              data-testid="map-node"
              data-service={n.service}
              onClick={open}
              onKeyDown={(ev) => ev.key === "Enter" && open()}
              onMouseMove={onMove({ kind: "node", node: n })}
              onMouseLeave={() => setHover(undefined)}
            >
              <rect width={NODE_W} height={NODE_H} rx={6} />
              <text x={10} y={18}>
                {n.service.length > 22 ? `${n.service.slice(0, 21)}…` : n.service}
              </text>
              <text x={10} y={35} className="sub">
                {formatRate(n.rate)} · {formatPct(n.error_rate)} err · p95 {formatMs(n.p95_ms)}
              </text>
            </g>
          );
        })}
      </svg>
      {hover && (
        <div className="map-tooltip" style={{ left: hover.x, top: hover.y }} data-testid="map-tooltip">
          {hover.h.kind === "node" ? (
            <>
              <b>{hover.h.node.service}</b>
              {hover.h.node.virtual && <span className="muted"> (not traced)</span>}
              <div>rate {formatRate(hover.h.node.rate)}</div>
              <div className={errorClass(hover.h.node.error_rate) === "error" ? "err" : undefined}>
                errors {formatPct(hover.h.node.error_rate)}
              </div>
              <div>p95 {formatMs(hover.h.node.p95_ms)}</div>
              {!hover.h.node.virtual && <div className="muted">click to open</div>}
            </>
          ) : (
            <>
              <b>
                {hover.h.edge.client} → {hover.h.edge.server}
              </b>
              <div>rate {formatRate(hover.h.edge.rate)}</div>
              <div className={errorClass(hover.h.edge.error_rate) === "error" ? "err" : undefined}>
                errors {formatPct(hover.h.edge.error_rate)}
              </div>
              <div>p95 {formatMs(hover.h.edge.p95_ms)}</div>
            </>
          )}
        </div>
      )}
    </div>
  );
}
