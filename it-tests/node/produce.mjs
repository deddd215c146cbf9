// Writes one record with Confluent's own serializer (latest schema of the subject <topic>-value) and kafkajs.
// Usage: node produce.mjs --bootstrap HOST:PORT --registry CCOMPAT_URL --topic T --key K --value-file FILE.json
import { readFileSync } from 'node:fs';
import { Kafka, logLevel } from 'kafkajs';
import { SchemaRegistryClient, SerdeType, AvroSerializer } from '@confluentinc/schemaregistry';
import { parseArgs } from './args.mjs';

const args = parseArgs(process.argv.slice(2), ['bootstrap', 'registry', 'topic', 'key', 'value-file']);
const value = JSON.parse(readFileSync(args['value-file'], 'utf8'));

const registry = new SchemaRegistryClient({ baseURLs: [args.registry] });
const serializer = new AvroSerializer(registry, SerdeType.VALUE, { useLatestVersion: true });
const kafka = new Kafka({ clientId: 'lilnet-interop-producer', brokers: [args.bootstrap], logLevel: logLevel.ERROR });
const producer = kafka.producer();

await producer.connect();
const bytes = await serializer.serialize(args.topic, value);
const [meta] = await producer.send({ topic: args.topic, acks: -1, messages: [{ key: args.key, value: bytes }] });
await producer.disconnect();
console.log(JSON.stringify({ partition: meta.partition, offset: meta.baseOffset, schemaId: bytes.readInt32BE(1), bytes: bytes.length }));
