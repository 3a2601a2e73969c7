import { afterAll, describe, expect, test } from 'vitest';
import { helmRelease, render } from './helpers/helm.ts';
import { chartSeries } from './helpers/invariants.ts';
import { produceRecord } from './helpers/kafka.ts';
import { kafkaBrokerBinary, scratchFolders, startKafkaBroker } from './helpers/servers.ts';
import { eventually, newTraceId, otlpRequest, runsWithTempo, startRenderedTempo, tempoGet } from './helpers/tempo.ts';

/**
 * The Kafka receiver (tempo.receivers.kafka: Tempo consuming OTLP from a topic) on real Tempo, with the
 * Kafka-protocol test broker the distributed tests write through: a trace put on the topic as OTLP
 * protobuf is read back by ID. The rendered configuration runs as it is, its brokers moved onto the
 * test broker. Found by this test: from 2.10 on the receiver refuses the top-level topic and encoding
 * at start-up; it takes them under traces, the topic as a list.
 */
const scratch = scratchFolders();
afterAll(scratch.removeAll);
const helm = helmRelease('helm4');

describe.runIf(chartSeries().every((entry) => runsWithTempo(entry.release)) && Boolean(process.env.CI || kafkaBrokerBinary())).concurrent.each(chartSeries().map((entry) => entry.release))('the Kafka receiver on Tempo %s', (release) => {
  test('consumes a trace put on its topic as OTLP, and answers for it by ID', async () => {
    const rendered = await render(helm, { values: { image: { tag: release }, tempo: { receivers: { kafka: { enabled: true, brokers: ['kafka-bootstrap.kafka.svc:9092'], topic: 'otlp_spans', initialOffset: 'earliest' } } } } });
    const broker = await startKafkaBroker(scratch.make('kafka-'), 'otlp_spans', 1);
    const tempo = await startRenderedTempo(rendered, scratch.make('tempo-'), {
      version: release,
      adjust: (config) => {
        expect(config.distributor.receivers.kafka.brokers).toEqual(['kafka-bootstrap.kafka.svc:9092']);
        // From 2.10 on the topic is a list under traces (2.10.8 and 3.0.3 stop on the top-level topic).
        config.distributor.receivers.kafka.brokers = [broker.address];
      },
    }).catch(async (error) => {
      await broker.stop();
      throw error;
    });
    try {
      const traceId = newTraceId();
      await produceRecord(broker.address, 'otlp_spans', 0, otlpRequest([{ traceId, service: 'kafka-producer', name: 'GET /cart' }]));
      const found = await eventually(async () => ((await tempoGet(tempo, `/api/traces/${traceId}`)).status === 200 ? true : undefined), 60_000, 'the trace from Kafka').catch(() => false);
      expect(found, tempo.log().slice(-3000)).toBe(true);
    } finally {
      await tempo.stop();
      await broker.stop();
    }
  }, 120_000);
});
