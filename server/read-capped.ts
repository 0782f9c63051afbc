// Every body the server reads whole (a request, an engine's answer, an archive) comes through here,
// so none can make it hold more than its limit.

/**
 * Reads a stream to its end and returns its bytes, or undefined as soon as more than `limit` has
 * come: the rest then drains and is dropped, never held (a refusal need not wait for a large upload).
 */
export function readCapped(stream: NodeJS.ReadableStream, limit: number): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (data: Buffer | string) => {
      const chunk = typeof data === 'string' ? Buffer.from(data) : data; // a stream already decoding text
      size += chunk.length;
      if (size <= limit) return void chunks.push(chunk);
      stream.off('data', onData);
      chunks.length = 0;
      stream.resume();
      resolve(undefined);
    };
    stream.on('data', onData);
    stream.on('end', () => resolve(size <= limit ? Buffer.concat(chunks, size) : undefined));
    stream.on('error', reject);
  });
}
