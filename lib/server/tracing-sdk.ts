import 'server-only';
import { context, diag, DiagLogLevel, propagation, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { detectResources, resourceAttributesEnvDetector, resourceFromAttributes, serviceNameEnvDetector } from '@opentelemetry/resources';
import { BatchSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import { env } from './env';
import { logger } from './logger';

// The OpenTelemetry SDK, started by instrumentation.ts only when OTEL_EXPORTER_OTLP_ENDPOINT is
// set: traces go there as OTLP over HTTP (JSON), which collectors, Jaeger and Tempo take on port
// 4318. The exporter reads OTEL_EXPORTER_OTLP_* (endpoint, headers, timeout) itself; the resource
// OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES. Next.js's own spans (the request, the route)
// and the app's (lib/server/tracing.ts) all reach it through @opentelemetry/api's global provider.

export function startTracing(): void {
  // Export failures (collector unreachable) would otherwise go unsaid.
  diag.setLogger(
    { error: (message) => logger.warn(`tracing: ${message}`), warn: (message) => logger.warn(`tracing: ${message}`), info() {}, debug() {}, verbose() {} },
    DiagLogLevel.WARN,
  );
  // One exporter, JSON over HTTP (which collectors also take where http/protobuf is configured); gRPC's port would refuse it.
  if (process.env.OTEL_EXPORTER_OTLP_PROTOCOL === 'grpc') logger.warn('tracing: OTEL_EXPORTER_OTLP_PROTOCOL=grpc is not supported; spans go as OTLP/HTTP JSON (a collector takes them on port 4318)');
  const resource = resourceFromAttributes({ 'service.name': 'roster' }).merge(
    detectResources({ detectors: [serviceNameEnvDetector, resourceAttributesEnvDetector] }),
  );
  const provider = new TracerProvider({
    resource,
    spanProcessors: [new BatchSpanProcessor({ exporter: new OTLPTraceExporter(), scheduledDelayMillis: env.OTEL_BSP_SCHEDULE_DELAY })],
  });
  // Parent and child spans find each other across awaits; an incoming `traceparent` (a proxy's or
  // a caller's trace) becomes the request's parent.
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  trace.setGlobalTracerProvider(provider);
  // Send what is batched before the process exits (the server waits for requests in flight first).
  for (const signal of ['SIGTERM', 'SIGINT'] as const) process.once(signal, () => void provider.shutdown().catch(() => undefined));
}
