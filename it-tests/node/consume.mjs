// Reads one record of a topic with Confluent's own clients (kafkajs + @confluentinc/schemaregistry), as a hospital
// integration engine would, and prints its value as JSON. Usage:
//   node consume.mjs --bootstrap HOST:PORT --registry CCOMPAT_URL --topic T --key K [--timeout-ms 30000]
import { Kafka, logLevel } from 'kafkajs';
import { SchemaRegistryClient, SerdeType, AvroDeserializer } from '@confluentinc/schemaregistry';
import { parseArgs, toJson } from './args.mjs';

const args = parseArgs(process.argv.slice(2), ['bootstrap', 'registry', 'topic', 'key']);
const timeoutMs = Number(args['timeout-ms'] ?? 30000);

const registry = new SchemaRegistryClient({ baseURLs: [args.registry] });
const deserializer = new AvroDeserializer(registry, SerdeType.VALUE, {});
const kafka = new Kafka({ clientId: 'lilnet-interop-consumer', brokers: [args.bootstrap], logLevel: logLevel.ERROR });
const consumer = kafka.consumer({ groupId: `lilnet-interop-${process.pid}-${Date.now()}` });

let found = null;
const timer = setTimeout(async () => {
  console.error(`no record with key ${args.key} on ${args.topic} within ${timeoutMs} ms`);
  await consumer.disconnect();
  process.exit(2);
}, timeoutMs);

await consumer.connect();
await consumer.subscribe({ topic: args.topic, fromBeginning: true });
await consumer.run({
  eachMessage: async ({ message }) => {
    if (found || message.key?.toString() !== args.key) return;
    const value = await deserializer.deserialize(args.topic, message.value);
    found = { schemaId: message.value.readInt32BE(1), magic: message.value[0], value };
    process.stdout.write(toJson(found) + '\n');
    clearTimeout(timer);
    setImmediate(async () => { await consumer.disconnect(); process.exit(0); });
  },
});
