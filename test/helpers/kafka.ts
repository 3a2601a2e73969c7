import net from 'node:net';

/**
 * A Kafka producer of one record, enough for a test to put a message on a topic of the test broker
 * (../shared/kafka): a Produce request (version 3, a v2 record batch with its CRC-32C) over one
 * connection, acks from the leader. The project has no Kafka client among its dependencies, and a test
 * needs no more.
 */
export async function produceRecord(address: string, topic: string, partition: number, value: Buffer): Promise<void> {
  const [host, port] = address.split(':');
  const request = produceRequest(topic, partition, value);
  const answer = await new Promise<Buffer>((resolve, reject) => {
    const socket = net.connect(Number(port), host!, () => socket.write(request));
    const chunks: Buffer[] = [];
    socket.setTimeout(10_000, () => socket.destroy(new Error('no answer from the Kafka broker within 10 s')));
    socket.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      const received = Buffer.concat(chunks);
      if (received.length >= 4 && received.length >= 4 + received.readInt32BE(0)) {
        socket.end();
        resolve(received);
      }
    });
    socket.on('error', reject);
  });
  // Response: size, correlation ID, [topic: name, [partition: index, error code, ...]].
  let offset = 8;
  const topics = answer.readInt32BE(offset);
  offset += 4;
  if (topics !== 1) throw new Error(`the broker answered for ${topics} topics`);
  offset += 2 + answer.readInt16BE(offset) + 4 + 4;
  const errorCode = answer.readInt16BE(offset);
  if (errorCode !== 0) throw new Error(`the broker refused the record: Kafka error code ${errorCode}`);
}

function produceRequest(topic: string, partition: number, value: Buffer): Buffer {
  const batch = recordBatch(value);
  const body = Buffer.concat([
    int16(-1), // transactional ID: none
    int16(1), // acks: the leader's
    int32(10_000),
    int32(1),
    kafkaString(topic),
    int32(1),
    int32(partition),
    int32(batch.length),
    batch,
  ]);
  const header = Buffer.concat([int16(0), int16(3), int32(1), kafkaString('tempo-chart-test')]);
  return Buffer.concat([int32(header.length + body.length), header, body]);
}

/** A v2 record batch holding one record with no key and no headers. */
function recordBatch(value: Buffer): Buffer {
  const record = Buffer.concat([Buffer.from([0]), varint(0), varint(0), varint(-1), varint(value.length), value, varint(0)]);
  const now = BigInt(Date.now());
  const afterCrc = Buffer.concat([
    int16(0), // attributes: no compression
    int32(0), // last offset delta
    int64(now),
    int64(now),
    int64(-1n), // producer ID
    int16(-1), // producer epoch
    int32(-1), // base sequence
    int32(1),
    varint(record.length),
    record,
  ]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32c(afterCrc));
  const afterLength = Buffer.concat([int32(0), Buffer.from([2]), crc, afterCrc]);
  return Buffer.concat([int64(0n), int32(afterLength.length), afterLength]);
}

const castagnoli = Array.from({ length: 256 }, (_, index) => {
  let crc = index;
  for (let bit = 0; bit < 8; bit += 1) crc = crc & 1 ? (crc >>> 1) ^ 0x82f63b78 : crc >>> 1;
  return crc >>> 0;
});

function crc32c(data: Buffer): number {
  let crc = 0xffffffff;
  for (const byte of data) crc = castagnoli[(crc ^ byte) & 0xff]! ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

/** A zigzag varint, as record fields are written. */
function varint(value: number): Buffer {
  let rest = (value << 1) ^ (value >> 31);
  rest >>>= 0;
  const bytes: number[] = [];
  while (rest > 0x7f) {
    bytes.push((rest & 0x7f) | 0x80);
    rest >>>= 7;
  }
  bytes.push(rest);
  return Buffer.from(bytes);
}

const int16 = (value: number) => {
  const buffer = Buffer.alloc(2);
  buffer.writeInt16BE(value);
  return buffer;
};
const int32 = (value: number) => {
  const buffer = Buffer.alloc(4);
  buffer.writeInt32BE(value);
  return buffer;
};
const int64 = (value: bigint) => {
  const buffer = Buffer.alloc(8);
  buffer.writeBigInt64BE(value);
  return buffer;
};
const kafkaString = (text: string) => Buffer.concat([int16(Buffer.byteLength(text)), Buffer.from(text)]);
