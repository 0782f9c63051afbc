// dtach's client protocol (dtach.h), which the relay speaks itself instead of running dtach's
// client on a second pty: every message is one 10-byte packet, type, length, then 8 bytes (input
// or a struct winsize). dtach's master reads exactly one packet per read and drops a client whose
// read comes up short, so whatever carries these must never split one (see PacketWriter).
import type net from 'node:net';

export const PACKET_BYTES = 10;
const PUSH_MAX = 8;
const MSG = { push: 0, attach: 1, winch: 3 } as const;

function packet(type: number, length: number): Buffer {
  const out = Buffer.alloc(PACKET_BYTES);
  out[0] = type;
  out[1] = length;
  return out;
}

/** Attach: the master sends this client the program's output from now on. */
export function attachPacket(): Buffer {
  return packet(MSG.attach, 0);
}

/** The terminal's size (struct winsize: rows, then columns); the kernel tells the program if it changed. */
export function sizePacket(cols: number, rows: number): Buffer {
  const out = packet(MSG.winch, 0);
  out.writeUInt16LE(clampSize(rows), 2);
  out.writeUInt16LE(clampSize(cols), 4);
  return out;
}

/** Input for the program, 8 bytes a packet. */
export function inputPackets(data: Buffer): Buffer {
  const count = Math.ceil(data.length / PUSH_MAX);
  const out = Buffer.alloc(count * PACKET_BYTES);
  for (let i = 0; i < count; i++) {
    const piece = data.subarray(i * PUSH_MAX, (i + 1) * PUSH_MAX);
    out[i * PACKET_BYTES] = MSG.push;
    out[i * PACKET_BYTES + 1] = piece.length;
    piece.copy(out, i * PACKET_BYTES + 2);
  }
  return out;
}

/**
 * The most bytes written at once: whole packets, and few enough that the kernel queues the write as
 * one piece (a Unix stream socket splits a write only above about 32 KiB), so a reader never finds
 * part of a packet. The relay's socat reads and writes with a buffer of this size too.
 */
export const WRITE_BYTES = 819 * PACKET_BYTES;
/** Input for a shell that is not reading it waits here up to this much; more is dropped. */
const QUEUED_MAX = 1024 * 1024;

/** Writes packets one bounded write at a time, the next only once the last is with the kernel. */
export class PacketWriter {
  readonly #socket: net.Socket;
  #queue = Buffer.alloc(0);
  #writing = false;

  constructor(socket: net.Socket) {
    this.#socket = socket;
  }

  /** Queues whole packets; false (and nothing queued) when the queue is full. */
  write(packets: Buffer): boolean {
    if (this.#queue.length + packets.length > QUEUED_MAX) return false;
    this.#queue = Buffer.concat([this.#queue, packets]);
    this.#pump();
    return true;
  }

  #pump(): void {
    if (this.#writing || this.#queue.length === 0 || this.#socket.destroyed) return;
    const chunk = this.#queue.subarray(0, WRITE_BYTES);
    this.#queue = this.#queue.subarray(chunk.length);
    this.#writing = true;
    this.#socket.write(chunk, (error) => {
      this.#writing = false;
      if (!error) this.#pump();
    });
  }
}

const clampSize = (n: number) => Math.max(1, Math.min(0xffff, Math.trunc(n)));
