// A build's stage images, held for as long as the image the build made carries one of the
// learner's names. Grading compares the program with what the compiling stage left; an untagged
// stage image would otherwise go with the learner's own `docker image prune`, or with another
// learner's, whose build the cache shared it with. A hold is a name in no learner's namespace
// (`sc-held-<learner>/f-<final id>:s<index>`), so no learner can remove it and prune skips it.
import type { EngineClient } from './engine.ts';
import type { Namespace } from './names.ts';
import type { ImageInfo } from './ownership.ts';

const hex = (id: string) => id.replace(/^sha256:/, '');

/** Names each stage image of a build after the final image it led to (the final one has the learner's own name). */
export async function holdStages(engine: EngineClient, ns: Namespace, finalId: string, stageImages: readonly string[]): Promise<void> {
  const repo = `${ns.holdPrefix}f-${hex(finalId)}`;
  for (const [index, id] of stageImages.entries()) {
    if (!id || hex(id) === hex(finalId)) continue;
    const answer = await engine.json('POST', `/images/${id}/tag`, new URLSearchParams({ repo, tag: `s${index}` }));
    if (answer.status !== 201) console.error(`gateway: holding stage ${index} of ${finalId} answered ${answer.status}`);
  }
}

/**
 * Lets go of the holds whose final image no longer carries a name of the learner's (removed, its
 * name moved to a newer build, or never named): part of the learner's `docker image prune`, since
 * such a stage image is what the engine would have called dangling. Removing a hold removes the
 * stage image too when nothing else names it. Returns the images the engine said it deleted.
 */
export async function releaseStaleHolds(engine: EngineClient, ns: Namespace): Promise<unknown[]> {
  const listed = await engine.json('GET', '/images/json', new URLSearchParams({ filters: JSON.stringify({ reference: [`${ns.holdPrefix}*`] }) }));
  if (listed.status !== 200 || !Array.isArray(listed.body)) return [];
  const holds = (listed.body as ImageInfo[]).flatMap((image) => (image.RepoTags ?? []).filter((tag) => tag.startsWith(ns.holdPrefix)));
  const named = new Map<string, boolean>();
  const removed: unknown[] = [];
  for (const hold of holds) {
    const finalId = /\/f-([0-9a-f]{64}):s\d+$/.exec(hold)?.[1];
    if (!finalId) continue;
    if (!named.has(finalId)) {
      const final = await engine.json('GET', `/images/sha256:${finalId}/json`);
      named.set(finalId, final.status === 200 && ((final.body as ImageInfo).RepoTags ?? []).some((tag) => ns.owns(tag)));
    }
    if (named.get(finalId)) continue;
    // Untagged parents go with it, as with a prune; the engine keeps any that is named or has other children.
    const answer = await engine.json('DELETE', `/images/${hold}`);
    // What it deleted; the untagged hold is no name of the learner's.
    if (answer.status === 200 && Array.isArray(answer.body)) removed.push(...(answer.body as { Deleted?: string }[]).filter((entry) => entry.Deleted));
  }
  return removed;
}
