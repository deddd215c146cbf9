// Reads a topic from its start with Confluent's own clients (kafkajs, committed records only, and
// @confluentinc/schemaregistry), as a hospital integration engine would, and prints every record whose key is asked
// for, one JSON line each ({key, partition, offset, magic, schemaId, value}). It stops once every key has been seen and
// nothing more came for --idle-ms, so that a key delivered twice is printed twice. Usage:
//   node consume-all.mjs --bootstrap HOST:PORT --registry CCOMPAT_URL --topic T --keys K1,K2,... [--timeout-ms 60000] [--idle-ms 3000]
import { Kafka, logLevel } from 'kafkajs';
import { SchemaRegistryClient, SerdeType, AvroDeserializer } from '@confluentinc/schemaregistry';
import { parseArgs, toJson } from './args.mjs';

const args = parseArgs(process.argv.slice(2), ['bootstrap', 'registry', 'topic', 'keys']);
const timeoutMs = Number(args['timeout-ms'] ?? 60000);
const idleMs = Number(args['idle-ms'] ?? 3000);
const wanted = new Set(args.keys.split(',').filter((k) => k.length > 0));

const registry = new SchemaRegistryClient({ baseURLs: [args.registry] });
const deserializer = new AvroDeserializer(registry, SerdeType.VALUE, {});
const kafka = new Kafka({ clientId: 'lilnet-interop-consume-all', brokers: [args.bootstrap], logLevel: logLevel.ERROR });
// readUncommitted false (the default): records of aborted transactions are never delivered
const consumer = kafka.consumer({ groupId: `lilnet-interop-all-${process.pid}-${Date.now()}`, readUncommitted: false });

const seen = new Set();
let lastRecordAt = Date.now();

async function finish(code, message) {
  if (message) console.error(message);
  await consumer.disconnect();
  process.exit(code);
}

const deadline = setTimeout(() => {
  const missing = [...wanted].filter((k) => !seen.has(k));
  finish(2, `not every key arrived on ${args.topic} within ${timeoutMs} ms; missing: ${missing.join(',')}`);
}, timeoutMs);

const idleCheck = setInterval(() => {
  if (seen.size === wanted.size && Date.now() - lastRecordAt >= idleMs) {
    clearTimeout(deadline);
    clearInterval(idleCheck);
    finish(0);
  }
}, 200);

await consumer.connect();
await consumer.subscribe({ topic: args.topic, fromBeginning: true });
await consumer.run({
  eachMessage: async ({ partition, message }) => {
    const key = message.key?.toString();
    if (!wanted.has(key)) return;
    const value = await deserializer.deserialize(args.topic, message.value);
    seen.add(key);
    lastRecordAt = Date.now();
    process.stdout.write(toJson({ key, partition, offset: Number(message.offset), magic: message.value[0],
      schemaId: message.value.readInt32BE(1), value }) + '\n');
  },
});
