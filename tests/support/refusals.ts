// The gateway logs each refusal's stable code (the learner sees only the message); tests read them here.

export interface RefusalLog {
  /** Codes logged since the last clear, oldest first. */
  readonly codes: string[];
  clear(): void;
  stop(): void;
}

export function recordRefusals(): RefusalLog {
  const original = console.info;
  const codes: string[] = [];
  console.info = (line: unknown, ...rest: unknown[]) => {
    if (typeof line === 'string' && line.includes('"gateway_refusal"')) codes.push(JSON.parse(line).code);
    else original(line, ...rest);
  };
  return { codes, clear: () => void codes.splice(0), stop: () => { console.info = original; } };
}
