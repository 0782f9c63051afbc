// Raw tar entries that tar-stream would never write: pending PAX and long-name headers, odd types.
const BLOCK = 512;

/** One raw ustar header, for the entries tar-stream would never write (pending headers, odd types). */
export function rawHeader(name: string, type: string, size: number): Buffer {
  const header = Buffer.alloc(BLOCK);
  header.write(name, 0, 100, 'utf8');
  header.write('0000644\0', 100, 'latin1');
  header.write('0000000\0', 108, 'latin1');
  header.write('0000000\0', 116, 'latin1');
  header.write(`${size.toString(8).padStart(11, '0')}\0`, 124, 'latin1');
  header.write('00000000000\0', 136, 'latin1');
  header.write(type, 156, 'latin1');
  header.write('ustar\0' + '00', 257, 'latin1');
  header.write('        ', 148, 'latin1');
  const checksum = header.reduce((sum, b) => sum + b, 0);
  header.write(`${checksum.toString(8).padStart(6, '0')}\0 `, 148, 'latin1');
  return header;
}

const padded = (data: Buffer) => Buffer.concat([data, Buffer.alloc((BLOCK - (data.length % BLOCK)) % BLOCK)]);
export const paxRecord = (key: string, value: string) => {
  const body = ` ${key}=${value}\n`;
  let length = body.length + 1;
  while (`${length}${body}`.length !== length) length++;
  return `${length}${body}`;
};
/** A raw entry: header and padded data. */
export const rawEntry = (name: string, type: string, data: Buffer | string) => {
  const bytes = Buffer.from(data);
  return Buffer.concat([rawHeader(name, type, bytes.length), padded(bytes)]);
};
export const paxEntry = (records: Record<string, string>) => rawEntry('PaxHeader', 'x', Object.entries(records).map(([k, v]) => paxRecord(k, v)).join(''));
export const END = Buffer.alloc(BLOCK * 2);
