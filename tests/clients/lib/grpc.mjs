// Raw OTLP gRPC Export calls with @grpc/grpc-js: the request body is sent as given bytes.
import grpc from '@grpc/grpc-js';
import { decodeExportResponse } from './otlp_proto.mjs';

export const EXPORT_METHOD = '/opentelemetry.proto.collector.trace.v1.TraceService/Export';
export const grpcStatus = grpc.status;

// Calls Export with `body` (protobuf bytes). Resolves {code, details, response} where code is a
// grpc.status value and response the decoded ExportTraceServiceResponse (on OK).
export function grpcExportRaw(addr, body, { deadlineMs = 10000 } = {}) {
  const client = new grpc.Client(addr, grpc.credentials.createInsecure(), {
    'grpc.max_send_message_length': -1,
  });
  return new Promise((resolve) => {
    client.makeUnaryRequest(EXPORT_METHOD, (b) => b, (b) => b, body, new grpc.Metadata(),
      { deadline: Date.now() + deadlineMs }, (err, value) => {
        client.close();
        if (err) resolve({ code: err.code, details: err.details, response: null });
        else resolve({ code: grpc.status.OK, details: '', response: decodeExportResponse(value) });
      });
  });
}
