// Docker's list filters, as the CLI sends them.
import { refuse, Refused } from './police.ts';

/** Docker's filters parameter: `{"key":["v"]}` or the older `{"key":{"v":true}}`. */
export function parseFilters(text: string | null): Record<string, string[]> {
  if (!text) return {};
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new Refused(refuse('malformed_request', 'filters must be JSON', 400).error);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Refused(refuse('malformed_request', 'filters must be a JSON object', 400).error);
  const out: Record<string, string[]> = {};
  for (const [key, entry] of Object.entries(value)) {
    if (Array.isArray(entry) && entry.every((v) => typeof v === 'string')) out[key] = entry;
    else if (entry && typeof entry === 'object') out[key] = Object.keys(entry);
    else throw new Refused(refuse('malformed_request', `filter "${key}" must be a list of strings`, 400).error);
  }
  return out;
}

