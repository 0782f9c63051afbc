// Image routes of the gateway: list, inspect, history, remove, tag and prune, on the learner's own
// images and the read-only base images only.
import { labLabelStepRemover } from '../lab-label-step.ts';
import type { GatewayContext, Handlers } from './context.ts';
import type { ImageInfo } from './ownership.ts';
import { expect, refuse, Refused } from './police.ts';
import { sendJson } from './respond.ts';
import { parseFilters } from './filters.ts';
import { releaseStaleHolds } from './stage-holds.ts';

/** What of the gateway these routes use. */
type ImageRoutesContext = Pick<GatewayContext, 'options' | 'engine' | 'ns' | 'own' | 'quota' | 'turn' | 'forward' | 'isHeld' | 'visibleImage'>;

export function imageHandlers(gw: ImageRoutesContext): Handlers {
  return {
    'image-list': async (x) => {
      x.req.resume();
      const query = new URLSearchParams(x.query);
      query.set('filters', JSON.stringify(await imageFilters(gw, x.query.get('filters'))));
      gw.forward(x, 'GET', '/images/json', query, {
        transform: (list) => (list as ImageInfo[]).filter((i) => gw.own.ownsImage(i) || gw.own.isBaseImage(i)).map((i) => gw.visibleImage(i)),
      });
    },
    'image-inspect': async (x) => {
      const image = expect(await gw.own.image(x.subject, 'read'));
      gw.forward(x, 'GET', `/images/${image.engineRef}/json`, undefined, { transform: (i) => gw.visibleImage(i as ImageInfo) });
    },
    'image-history': async (x) => {
      const image = expect(await gw.own.image(x.subject, 'read'));
      const visible = (ref: string) => gw.ns.owns(ref) || gw.ns.isBase(ref);
      // Entries stream in one at a time, newest first: the remover holds the label step's until the next.
      const withoutLabStep = labLabelStepRemover<{ CreatedBy: string; Tags?: string[] | null }>();
      gw.forward(x, 'GET', `/images/${image.engineRef}/history`, undefined, {
        transform: (entries) => withoutLabStep(entries as { CreatedBy: string; Tags?: string[] | null }[]).map((e) => ({ ...e, Tags: e.Tags ? e.Tags.filter(visible) : e.Tags })),
      });
    },
    'image-delete': async (x) => {
      const image = expect(await gw.own.image(x.subject, 'write'));
      if (gw.isHeld(image.info.Id)) expect(refuse('image_in_use', `${x.subject} is in use by your running build: remove it once the build has finished`, 409));
      const foreign = (image.info.RepoTags ?? []).filter((t) => !gw.ns.owns(t) && t !== '<none>:<none>');
      if (image.engineRef === image.info.Id && foreign.length > 0) {
        // Shared with someone else's name (a build fully from cache): remove only this learner's names.
        const untagged = [];
        for (const tag of (image.info.RepoTags ?? []).filter((t) => gw.ns.owns(t))) {
          const answer = await gw.engine.json('DELETE', `/images/${tag}`, new URLSearchParams({ noprune: '1' }));
          if (Array.isArray(answer.body)) untagged.push(...answer.body);
        }
        if (untagged.length > 0) gw.options.onImagesChanged?.();
        return sendJson(x.res, 200, JSON.parse(gw.ns.toLearner(JSON.stringify(untagged))));
      }
      gw.forward(x, 'DELETE', `/images/${image.engineRef}`, x.query, { onStatus: (status) => { if (status === 200) gw.options.onImagesChanged?.(); } });
    },
    'image-tag': async (x) => {
      const source = expect(await gw.own.image(x.subject, 'read'));
      const repo = x.query.get('repo') ?? '';
      const target = expect(gw.ns.newImageName(x.query.get('tag') ? `${repo}:${x.query.get('tag')}` : repo));
      await gw.turn('images', x.res);
      expect(await gw.quota.checkImages());
      const colon = target.lastIndexOf(':');
      gw.forward(x, 'POST', `/images/${source.engineRef}/tag`, new URLSearchParams({ repo: target.slice(0, colon), tag: target.slice(colon + 1) }), {
        onStatus: (status) => {
          if (status !== 201) return;
          gw.options.builds?.tagged(source.info.Id, gw.ns.toLearner(target));
          gw.options.onImagesChanged?.();
        },
      });
    },
    'image-prune': async (x) => {
      x.req.resume();
      const all = /"dangling":\{?\[?"?(false|0)/.test(x.query.get('filters') ?? '');
      // Stage images held for builds whose image has lost its names are dangling to the learner.
      const deleted: unknown[] = await releaseStaleHolds(gw.engine, gw.ns);
      let reclaimed = 0;
      for (const image of await gw.own.images()) {
        const tags = (image.RepoTags ?? []).filter((t) => gw.ns.owns(t));
        if (tags.length > 0 && !all) continue;
        // Shared with someone else's name (the build cache made the same image for both): removing
        // it by id would take their name with it. Only this learner's names go.
        const foreign = (image.RepoTags ?? []).some((t) => !gw.ns.owns(t) && t !== '<none>:<none>');
        if (foreign && tags.length === 0) continue;
        if (gw.isHeld(image.Id)) continue;
        for (const ref of tags.length > 0 ? tags : [image.Id]) {
          const answer = await gw.engine.json('DELETE', `/images/${ref}`);
          if (answer.status === 200 && Array.isArray(answer.body)) {
            deleted.push(...answer.body);
            if ((answer.body as { Deleted?: string }[]).some((d) => d.Deleted)) reclaimed += image.Size ?? 0;
          }
        }
      }
      if (deleted.length > 0) gw.options.onImagesChanged?.();
      sendJson(x.res, 200, JSON.parse(gw.ns.toLearner(JSON.stringify({ ImagesDeleted: deleted.length > 0 ? deleted : null, SpaceReclaimed: reclaimed }))));
    },
  };
}

/** The learner's image list filters, with every image name mapped to the engine's. */
async function imageFilters(gw: ImageRoutesContext, text: string | null): Promise<Record<string, Record<string, boolean>>> {
    const filters = parseFilters(text);
    const mapped: Record<string, Record<string, boolean>> = {};
    for (const [key, values] of Object.entries(filters)) {
      mapped[key] = {};
      for (const value of values) {
        if (key === 'reference') {
          const repository = value.includes(':') ? value.slice(0, value.lastIndexOf(':')) : value;
          mapped[key][gw.ns.isBaseRepository(repository) || gw.ns.isBase(value) ? value : gw.ns.imagePrefix + value] = true;
        } else if (key === 'before' || key === 'since') {
          mapped[key][expect(await gw.own.image(value, 'read')).engineRef] = true;
        } else if (key === 'dangling' || key === 'label') {
          mapped[key][value] = true;
        } else {
          throw new Refused(refuse('query_forbidden', `the filter "${key}" is not available in this lab`).error);
        }
      }
    }
    return mapped;
  }

