/**
 * The OpenTelemetry SDK's in-memory exporters, wired for a test: finished spans, and metrics collected
 * on demand.
 */
import { MeterProvider, MetricReader, type ResourceMetrics } from '@opentelemetry/sdk-metrics'
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base'

/** A reader the test collects from on demand. */
export class CollectingReader extends MetricReader {
  protected override async onShutdown() {}
  protected override async onForceFlush() {}
  async metrics(): Promise<ResourceMetrics> {
    return (await this.collect()).resourceMetrics
  }
}

export function telemetryHarness() {
  const spans = new InMemorySpanExporter()
  const tracerProvider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(spans)] })
  const reader = new CollectingReader()
  const meterProvider = new MeterProvider({ readers: [reader] })
  return { spans, tracerProvider, reader, meterProvider }
}

/** Data points of one metric, as { attributes, value } (histograms: the count). */
export async function points(reader: CollectingReader, name: string) {
  const metrics = (await reader.metrics()).scopeMetrics.flatMap((s) => s.metrics)
  const metric = metrics.find((m) => m.descriptor.name === name)
  return (metric?.dataPoints ?? []).map((p) => ({
    attributes: p.attributes,
    value: typeof p.value === 'number' ? p.value : (p.value as { count: number }).count,
  }))
}
