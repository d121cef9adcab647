// A small hand-written OTLP trace protobuf encoder (requests) and decoder (responses), so tests
// control every byte: ids of any length, kvlist and bytes values, deliberately broken bodies.
import { randomBytes } from 'node:crypto';

class Writer {
  constructor() { this.chunks = []; }
  bytes(b) { this.chunks.push(Buffer.from(b)); }
  varint(v) {
    let n = BigInt.asUintN(64, BigInt(v));
    const out = [];
    do {
      let byte = Number(n & 0x7fn);
      n >>= 7n;
      if (n !== 0n) byte |= 0x80;
      out.push(byte);
    } while (n !== 0n);
    this.bytes(out);
  }
  tag(field, wire) { this.varint((field << 3) | wire); }
  uint(field, v) { if (v) { this.tag(field, 0); this.varint(v); } }
  bool(field, v) { this.tag(field, 0); this.varint(v ? 1 : 0); }
  fixed64(field, v) {
    if (!v) return;
    const b = Buffer.alloc(8);
    b.writeBigUInt64LE(BigInt.asUintN(64, BigInt(v)));
    this.tag(field, 1);
    this.bytes(b);
  }
  fixed32(field, v) {
    if (!v) return;
    const b = Buffer.alloc(4);
    b.writeUInt32LE(v >>> 0);
    this.tag(field, 5);
    this.bytes(b);
  }
  double(field, v) {
    const b = Buffer.alloc(8);
    b.writeDoubleLE(v);
    this.tag(field, 1);
    this.bytes(b);
  }
  lenDelim(field, buf) { this.tag(field, 2); this.varint(buf.length); this.bytes(buf); }
  string(field, s) { if (s) this.lenDelim(field, Buffer.from(s, 'utf8')); }
  blob(field, b) { if (b && b.length) this.lenDelim(field, Buffer.from(b)); }
  message(field, fn) { const w = new Writer(); fn(w); this.lenDelim(field, w.finish()); }
  finish() { return Buffer.concat(this.chunks); }
}

// Typed attribute values: plain JS strings, booleans and finite non-integer numbers map to their
// OTLP types, integers (number or bigint) to int_value; use these wrappers for the rest.
export const V = {
  int: (v) => ({ $int: BigInt(v) }),
  double: (v) => ({ $double: v }),
  bytes: (b) => ({ $bytes: Buffer.from(b) }),
  kvlist: (obj) => ({ $kvlist: obj }),
};

function writeAnyValue(w, v) {
  if (typeof v === 'string') w.lenDelim(1, Buffer.from(v, 'utf8'));
  else if (typeof v === 'boolean') w.bool(2, v);
  else if (typeof v === 'bigint') { w.tag(3, 0); w.varint(v); }
  else if (typeof v === 'number') {
    if (Number.isInteger(v)) { w.tag(3, 0); w.varint(v); } else w.double(4, v);
  } else if (Array.isArray(v)) w.message(5, (a) => v.forEach((x) => a.message(1, (e) => writeAnyValue(e, x))));
  else if (v && v.$int !== undefined) { w.tag(3, 0); w.varint(v.$int); }
  else if (v && v.$double !== undefined) w.double(4, v.$double);
  else if (v && v.$bytes !== undefined) w.lenDelim(7, v.$bytes);
  else if (v && v.$kvlist !== undefined) w.message(6, (l) => writeAttributes(l, 1, v.$kvlist));
  else throw new Error(`unsupported attribute value ${String(v)}`);
}

function writeAttributes(w, field, attrs) {
  for (const [key, value] of Object.entries(attrs ?? {})) {
    w.message(field, (kv) => {
      kv.string(1, key);
      kv.message(2, (av) => writeAnyValue(av, value));
    });
  }
}

function writeSpan(w, s) {
  w.blob(1, s.traceId);
  w.blob(2, s.spanId);
  w.string(3, s.traceState);
  w.blob(4, s.parentSpanId);
  w.string(5, s.name);
  w.uint(6, s.kind ?? 0);
  w.fixed64(7, s.startNs);
  w.fixed64(8, s.endNs);
  writeAttributes(w, 9, s.attributes);
  for (const e of s.events ?? []) {
    w.message(11, (ew) => {
      ew.fixed64(1, e.timeNs);
      ew.string(2, e.name);
      writeAttributes(ew, 3, e.attributes);
    });
  }
  for (const l of s.links ?? []) {
    w.message(13, (lw) => {
      lw.blob(1, l.traceId);
      lw.blob(2, l.spanId);
      lw.string(3, l.traceState);
      writeAttributes(lw, 4, l.attributes);
    });
  }
  if (s.status) {
    w.message(15, (st) => {
      st.string(2, s.status.message);
      st.uint(3, s.status.code);
    });
  }
  w.fixed32(16, s.flags ?? 0);
}

// Encodes an ExportTraceServiceRequest:
// [{resource: {attrs}, scopes: [{name, version, spans: [span]}]}], span fields as in writeSpan
// (ids are Buffers; times are bigint nanoseconds).
export function encodeExportRequest(resourceSpans) {
  const w = new Writer();
  for (const rs of resourceSpans) {
    w.message(1, (rw) => {
      rw.message(1, (res) => writeAttributes(res, 1, rs.resource));
      for (const sc of rs.scopes) {
        rw.message(2, (sw) => {
          sw.message(1, (scope) => { scope.string(1, sc.name); scope.string(2, sc.version); });
          for (const span of sc.spans) sw.message(2, (spw) => writeSpan(spw, span));
        });
      }
    });
  }
  return w.finish();
}

function readVarint(buf, pos) {
  let result = 0n;
  let shift = 0n;
  for (;;) {
    if (pos >= buf.length) throw new Error('truncated varint');
    const b = buf[pos++];
    result |= BigInt(b & 0x7f) << shift;
    if (!(b & 0x80)) return [result, pos];
    shift += 7n;
    if (shift > 63n) throw new Error('varint too long');
  }
}

// Decodes the fields of one message into [{field, wire, value}] (value: bigint or Buffer).
export function decodeFields(buf) {
  const out = [];
  let pos = 0;
  while (pos < buf.length) {
    let key;
    [key, pos] = readVarint(buf, pos);
    const field = Number(key >> 3n);
    const wire = Number(key & 7n);
    let value;
    if (wire === 0) [value, pos] = readVarint(buf, pos);
    else if (wire === 1) { value = buf.subarray(pos, pos + 8); pos += 8; }
    else if (wire === 5) { value = buf.subarray(pos, pos + 4); pos += 4; }
    else if (wire === 2) {
      let len;
      [len, pos] = readVarint(buf, pos);
      value = buf.subarray(pos, pos + Number(len));
      pos += Number(len);
    } else throw new Error(`unsupported wire type ${wire}`);
    if (pos > buf.length) throw new Error('truncated field');
    out.push({ field, wire, value });
  }
  return out;
}

// Decodes an ExportTraceServiceResponse: {rejectedSpans: number, errorMessage: string}.
export function decodeExportResponse(buf) {
  const result = { rejectedSpans: 0, errorMessage: '', hasPartialSuccess: false };
  for (const f of decodeFields(Buffer.from(buf))) {
    if (f.field !== 1 || f.wire !== 2) continue;
    result.hasPartialSuccess = true;
    for (const p of decodeFields(f.value)) {
      if (p.field === 1 && p.wire === 0) result.rejectedSpans = Number(BigInt.asIntN(64, p.value));
      if (p.field === 2 && p.wire === 2) result.errorMessage = p.value.toString('utf8');
    }
  }
  return result;
}

export const newTraceId = () => randomBytes(16);
export const newSpanId = () => randomBytes(8);
export const hex = (b) => Buffer.from(b).toString('hex');
export const nowNs = () => BigInt(Date.now()) * 1000000n;
