import type net from 'node:net';
import { describe, expect, it } from 'vitest';
import { attachPacket, inputPackets, PACKET_BYTES, PacketWriter, sizePacket, WRITE_BYTES } from './dtach.ts';

describe('dtach packets', () => {
  it('encodes attach, size (rows first) and input 8 bytes a packet', () => {
    expect([...attachPacket()]).toEqual([1, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    expect([...sizePacket(117, 33)]).toEqual([3, 0, 33, 0, 117, 0, 0, 0, 0, 0]);
    const input = inputPackets(Buffer.from('echo héllo\r'));
    expect(input.length).toBe(2 * PACKET_BYTES);
    expect([...input.subarray(0, 2)]).toEqual([0, 8]);
    expect([...input.subarray(10, 12)]).toEqual([0, 4]);
    const carried = Buffer.concat([input.subarray(2, 10), input.subarray(12, 16)]);
    expect(carried.toString()).toBe('echo héllo\r');
  });
});

describe('PacketWriter', () => {
  /** A socket that takes one write at a time and finishes it when told. */
  function slowSocket() {
    const writes: Buffer[] = [];
    const done: (() => void)[] = [];
    const socket = { destroyed: false, write: (chunk: Buffer, cb: () => void) => { writes.push(Buffer.from(chunk)); done.push(cb); return true; } };
    return { socket: socket as unknown as net.Socket, writes, finishOne: () => done.shift()?.() };
  }

  it('writes whole packets, one bounded write at a time, in order', () => {
    const { socket, writes, finishOne } = slowSocket();
    const writer = new PacketWriter(socket);
    const text = Buffer.alloc(100_000, 'x');
    expect(writer.write(inputPackets(text))).toBe(true);
    expect(writes).toHaveLength(1); // the next waits until this one is with the kernel
    for (let finished = 0; finished < writes.length; finished++) finishOne(); // each finish starts the next
    for (const chunk of writes) {
      expect(chunk.length % PACKET_BYTES).toBe(0);
      expect(chunk.length).toBeLessThanOrEqual(WRITE_BYTES);
    }
    expect(Buffer.concat(writes)).toEqual(inputPackets(text));
  });

  it('refuses input past its bound (1 MiB waiting) and keeps what it had', () => {
    const { socket, writes, finishOne } = slowSocket();
    const writer = new PacketWriter(socket);
    const inFlight = inputPackets(Buffer.alloc(WRITE_BYTES / PACKET_BYTES * 8, 'w'));
    const waiting = inputPackets(Buffer.alloc(104_857 * 8, 'y')); // 1,048,570 bytes of packets
    expect(writer.write(inFlight)).toBe(true);
    expect(writer.write(waiting)).toBe(true);
    expect(writer.write(inputPackets(Buffer.from('z')))).toBe(false);
    for (let finished = 0; finished < writes.length; finished++) finishOne();
    expect(Buffer.concat(writes)).toEqual(Buffer.concat([inFlight, waiting]));
  });
});
