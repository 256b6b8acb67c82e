import 'server-only';
import { context, createContextKey, INVALID_SPAN_CONTEXT, type Span, SpanStatusCode, trace } from '@opentelemetry/api';

// The spans of a user write (docs/deploy.md, "Tracing"): `roster.user.create` (edit, delete)
// around the route's or the action's work, a child of Next.js's span for the request, and in it
// `validate`, `transaction`, `ring` and `fan-out`. Written against @opentelemetry/api alone: unless
// instrumentation.ts started the SDK (OTEL_EXPORTER_OTLP_ENDPOINT), every span is a no-op.

const tracer = trace.getTracer('roster');

/**
 * A write's clock, in its context: its steps make spans only inside one. Every span of the write
 * takes its times from it, one monotonic clock from the write's start: the SDK's own start times
 * are whole milliseconds (Date.now()), which would show a step beginning before the one before it
 * ended, or ending after its write.
 */
const WRITE_CLOCK = createContextKey('roster.write.clock');
type Clock = () => number;

/** A span that records nothing, for a step outside a write. */
const NOT_RECORDED = trace.wrapSpanContext(INVALID_SPAN_CONTEXT);

export type WriteVerb = 'create' | 'edit' | 'delete' | 'restore';

/** Runs a user write (validation to fan-out) in its span, `roster.user.<verb>`. */
export function tracedWrite<T>(verb: WriteVerb, fn: () => Promise<T>): Promise<T> {
  const [epoch, origin] = [Date.now(), performance.now()];
  const clock: Clock = () => epoch + (performance.now() - origin);
  return context.with(context.active().setValue(WRITE_CLOCK, clock), () => inSpan(`roster.user.${verb}`, clock, fn));
}

/**
 * Runs a step of a write in a span of its own. The same code runs where no write asked for it (the
 * hub's poll and other instances' rings read the log; an import commits and rings): there it
 * makes no span, rather than a trace of its own every second or one under a finished request.
 */
export function traced<T>(name: string, fn: (span: Span) => T): T {
  const clock = context.active().getValue(WRITE_CLOCK);
  return typeof clock === 'function' ? inSpan(name, clock as Clock, fn) : fn(NOT_RECORDED);
}

/** `fn` in an active span that ends when it returns or, for a promise, settles; a throw marks it failed. */
function inSpan<T>(name: string, clock: Clock, fn: (span: Span) => T): T {
  return tracer.startActiveSpan(name, { startTime: clock() }, (span) => {
    const failed = (error: unknown): never => {
      span.recordException(error instanceof Error ? error : String(error));
      span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.name : undefined });
      span.end(clock());
      throw error;
    };
    try {
      const result = fn(span);
      if (!(result instanceof Promise)) {
        span.end(clock());
        return result;
      }
      return result.then((value: unknown) => {
        span.end(clock());
        return value;
      }, failed) as T;
    } catch (error) {
      return failed(error);
    }
  });
}
