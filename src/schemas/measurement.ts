// A measurement as a learner types it in a lesson's blank: a size as `docker image ls` prints it
// ("176MB", "4.16 MB"), or in bytes ("176123456", "176,123,456"), a ratio ("40", "about 40×"), or
// a count of files ("23", "1,204").
// Shared by the page (which says at once what is wrong) and the server (which stores the number).

export type Quantity = 'size' | 'ratio' | 'files';

/** Docker's units are decimal (docker image ls prints 1 MB for 1,000,000 bytes). */
const UNITS: Record<string, number> = { b: 1, kb: 1e3, mb: 1e6, gb: 1e9 };

const SIZE = /^(\d+(?:[.,]\d+)*)\s*([kmg]?b)?$/i;
const RATIO = /^(?:about\s+|~\s*)?(\d+(?:\.\d+)?)\s*(?:x|×|times)?$/i;
const COUNT = /^\d{1,3}(?:,\d{3})*$|^\d+$/;

export type Parsed = { ok: true; value: number } | { ok: false; error: string };

export function parseMeasurement(typed: string, quantity: Quantity): Parsed {
  const text = typed.trim();
  if (text === '') return { ok: false, error: 'type your figure first' };
  if (quantity === 'files') {
    const value = COUNT.test(text) ? Number(text.replace(/,/g, '')) : NaN;
    return value > 0 ? { ok: true, value } : { ok: false, error: 'type how many files, as a whole number such as 23' };
  }
  if (quantity === 'ratio') {
    const match = RATIO.exec(text);
    const value = match ? Number(match[1]) : NaN;
    return value > 0 ? { ok: true, value } : { ok: false, error: 'type how many times smaller, as a number such as 40' };
  }
  const match = SIZE.exec(text);
  if (!match) return { ok: false, error: 'type a size such as 176MB, 4.16 MB or 176123456 (bytes)' };
  // A bare number is bytes; one this small is a figure from docker image ls with its unit left off.
  if (match[2] === undefined && Number(match[1]!.replace(/,/g, '')) < 100_000) return { ok: false, error: 'a size without a unit is in bytes: type the unit as docker image ls prints it, e.g. 406MB' };
  const unit = match[2]?.toLowerCase() ?? 'b';
  // Without a unit, commas group thousands (176,123,456 bytes); with one, a comma is a decimal point (4,16 MB).
  const digits = unit === 'b' ? match[1]!.replace(/,/g, '') : match[1]!.replace(',', '.');
  const value = Number(digits) * UNITS[unit]!;
  return Number.isFinite(value) && value > 0 ? { ok: true, value } : { ok: false, error: 'type a size such as 176MB, 4.16 MB or 176123456 (bytes)' };
}

/** How far `typed` is from `actual`, as a fraction of `actual`. */
export const offBy = (typed: number, actual: number): number => Math.abs(typed - actual) / actual;
