// The differential corpus: each tricky Dockerfile in tests/corpus/dockerfiles is read by our reader
// and by the real engine (its classic builder, straight on its socket, no gateway), which must agree
// on every instruction (the engine prints each one as `Step i/n : <the line it assembled>`) and on
// what they set (labels, environment, command). Then the canonical file the gateway would send is
// built too, and the engine must read it as exactly the same instructions with the same result.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import Docker from 'dockerode';
import tar from 'tar-stream';
import { afterAll, describe, expect, it } from 'vitest';
import { parse, processWord, splitCommand, type Node } from '../../../server/dockerfile/index.ts';
import { canonicalDockerfile } from '../../../server/sandbox/gateway/dockerfile.ts';

const docker = new Docker({ socketPath: '/var/run/docker.sock' });
const corpus = path.resolve(import.meta.dirname, '../../corpus/dockerfiles');
const cases = readdirSync(corpus).sort();
const made = new Set<string>();

interface Built { steps: string[]; error?: string; config?: Record<string, unknown> }

async function build(dockerfile: string): Promise<Built> {
  const pack = tar.pack();
  pack.entry({ name: 'Dockerfile' }, dockerfile);
  pack.entry({ name: 'a' }, 'a\n');
  pack.entry({ name: 'b' }, 'b\n');
  pack.entry({ name: 'dir/c' }, 'c\n');
  pack.finalize();
  let stream: NodeJS.ReadableStream;
  try {
    stream = await docker.buildImage(pack as unknown as NodeJS.ReadableStream, { dockerfile: 'Dockerfile', rm: true, forcerm: true, networkmode: 'none', version: '1' });
  } catch (error) {
    return { steps: [], error: String(error) }; // the engine refused the file before building
  }
  const events = await new Promise<Array<{ stream?: string; error?: string; aux?: { ID?: string } }>>((resolve, reject) =>
    docker.modem.followProgress(stream, (error, output) => (error ? reject(error) : resolve(output as never))));
  const text = events.map((e) => e.stream ?? '').join('');
  for (const id of text.matchAll(/^ ---> ([0-9a-f]{12})$/gm)) made.add(id[1]!);
  const steps = [...text.matchAll(/^(?:\x1b\[[0-9;]*m)*Step \d+\/\d+ : (.*)$/gm)].map((m) => m[1]!.trimEnd());
  const error = events.find((e) => e.error)?.error;
  const id = events.find((e) => e.aux?.ID)?.aux?.ID;
  if (error || !id) return { steps, error: error ?? 'no image' };
  made.add(id);
  const info = await docker.getImage(id).inspect();
  return { steps, config: info.Config as unknown as Record<string, unknown> };
}

/** Labels and environment a single-stage file sets, as our reader and word processing see them. */
function expectedSettings(nodes: Node[], escape: string): { labels: Record<string, string>; env: Record<string, string> } | undefined {
  if (nodes.filter((n) => n.cmd === 'from').length !== 1) return undefined;
  const labels: Record<string, string> = {};
  const env: Record<string, string> = {};
  for (const node of nodes) {
    if (node.cmd !== 'label' && node.cmd !== 'env') continue;
    for (let i = 0; i < node.values.length; i += 2) {
      const key = processWord(node.values[i]!, escape);
      const value = processWord(node.values[i + 1]!, escape);
      if (!key.ok || !value.ok) return undefined; // a variable: the engine's value depends on the environment
      (node.cmd === 'label' ? labels : env)[key.value] = value.value;
    }
  }
  return { labels, env };
}

// The canonical file writes the keyword in capitals and one space after it; the rest is the engine's own text.
const normal = (steps: string[]) => steps.map((step) => `${splitCommand(step).cmd} ${splitCommand(step).rest}`);

describe('our Dockerfile reader and the engine agree', () => {
  afterAll(async () => {
    for (const id of made) await docker.getImage(id).remove({ force: true }).catch(() => undefined);
  });

  it('has a corpus of dozens of cases', () => {
    expect(cases.length).toBeGreaterThanOrEqual(40);
  });

  it.each(cases)('%s', async (name) => {
    const text = readFileSync(path.join(corpus, name, 'Dockerfile'), 'utf8');
    const ours = parse(text);
    const engine = await build(text);
    if (!ours.ok) {
      expect(engine.error, 'the engine must refuse what our reader refuses').toBeDefined();
      return;
    }
    expect(engine.error).toBeUndefined();
    expect(engine.steps).toEqual(ours.value.nodes.map((n) => n.original.trim()));

    const settings = expectedSettings(ours.value.nodes, ours.value.escape);
    if (settings) {
      const labels = (engine.config!.Labels ?? {}) as Record<string, string>;
      const env = Object.fromEntries(((engine.config!.Env ?? []) as string[]).map((e) => [e.slice(0, e.indexOf('=')), e.slice(e.indexOf('=') + 1)]));
      for (const [key, value] of Object.entries(settings.labels)) expect(labels[key], `label ${key}`).toBe(value);
      for (const [key, value] of Object.entries(settings.env)) expect(env[key], `env ${key}`).toBe(value);
    }

    const canonical = await canonicalDockerfile(text, async (reference) => ({ ok: true, value: reference }));
    if (ours.value.nodes.some((n) => n.cmd === 'onbuild' || n.cmd === 'volume')) {
      expect(canonical.ok).toBe(false); // refused by the lab; the engine's reading is proved above
      return;
    }
    expect(canonical.ok, canonical.ok ? '' : canonical.error.message).toBe(true);
    if (!canonical.ok) return;
    const again = await build(canonical.value.text);
    expect(again.error).toBeUndefined();
    expect(normal(again.steps)).toEqual(normal(engine.steps));
    for (const field of ['Labels', 'Env', 'Cmd', 'Entrypoint', 'ExposedPorts', 'Volumes', 'Healthcheck', 'OnBuild', 'User', 'WorkingDir', 'StopSignal', 'Shell']) {
      expect(again.config![field], field).toEqual(engine.config![field]);
    }
  });
});
