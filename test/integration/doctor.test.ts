import { resolve } from 'node:path';
import { memoryIo } from '../../src/io/io';
import { run } from '../../src/cli/run';
import { createTopic, deleteTopic, kafka } from '../../src/kafka/client';

test('doctor passes every check against the running local stack', async () => {
  const k = kafka('127.0.0.1:9092');
  await deleteTopic(k, 'uvpv-demo').catch(() => undefined);
  await createTopic(k, 'uvpv-demo');
  const io = memoryIo({ ...process.env }, resolve(__dirname, '../..'));
  const code = await run(['doctor', 'pipelines/uvpv.yaml'], io);
  expect(io.out).not.toMatch(/^FAIL/m);
  expect(io.out).toMatch(/^OK   Kafka broker 1  advertises 127\.0\.0\.1:9092 \(an IP address, reachable\)$/m);
  expect(io.out).toMatch(/^OK   SQL Gateway .*Apache Flink 1\.20\.3$/m);
  expect(io.out).toMatch(/^all 9 checks passed$/m);
  expect(code).toBe(0);
});
