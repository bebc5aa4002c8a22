import { context, SpanStatusCode, trace, type Attributes, type Context, type Span } from '@opentelemetry/api';

/**
 * OpenTelemetry spans for the training loop: `mappa.step`, `mappa.episode`, `mappa.agent_action`, `mappa.tool_call`,
 * `mappa.coach_evaluation`, `mappa.trainer_update`. `@opentelemetry/api` is a no-op until the user registers an SDK
 * (a tracer provider and, for parent links across awaits, an async context manager), so this costs nothing by default.
 */
export const TRACER_NAME = 'mappa';

export function mappaTracer() {
  return trace.getTracer(TRACER_NAME);
}

/** Runs `fn` inside a new span (child of `parent`, default the active context); errors mark the span and rethrow. */
export async function inSpan<T>(name: string, attributes: Attributes, fn: (span: Span) => Promise<T>, parent: Context = context.active()): Promise<T> {
  const span = mappaTracer().startSpan(name, { attributes }, parent);
  try {
    return await context.with(trace.setSpan(parent, span), () => fn(span));
  } catch (err) {
    markSpanFailed(span, err);
    throw err;
  } finally {
    span.end();
  }
}

/** Records `err` on a span and sets its status to error; the caller ends the span. */
export function markSpanFailed(span: Span, err: unknown): void {
  span.recordException(err instanceof Error ? err : String(err));
  span.setStatus({ code: SpanStatusCode.ERROR, message: (err as Error)?.message ?? String(err) });
}

/** Marks a span failed with `err` and ends it (for spans a loop starts and ends by hand, not through `inSpan`). */
export function failSpan(span: Span, err: unknown): void {
  markSpanFailed(span, err);
  span.end();
}

/** Attributes without undefined values (OpenTelemetry drops them with a warning otherwise). */
export function attrs(values: Record<string, string | number | boolean | undefined | null>): Attributes {
  const out: Attributes = {};
  for (const [k, v] of Object.entries(values)) if (v !== undefined && v !== null) out[k] = v;
  return out;
}
