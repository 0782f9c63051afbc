// Container and exec routes of the gateway: create, list, prune, and every verb on one container or
// exec instance, on the learner's own containers only.
import { CONTAINER_CREATE, EXEC_CREATE, LIMITS } from '../policy.ts';
import { readCapped } from '../../read-capped.ts';
import { forceContainerCreate } from './forced.ts';
import type { GatewayContext, Handlers } from './context.ts';
import { API_VERSION, expect, parseJsonBody, policeBody, refuse, Refused, type Result } from './police.ts';
import { sendJson } from './respond.ts';
import { parseFilters } from './filters.ts';

/** What of the gateway these routes use. */
type ContainerRoutesContext = Pick<GatewayContext, 'options' | 'engine' | 'ns' | 'own' | 'quota' | 'turn' | 'forward'>;

export function containerHandlers(gw: ContainerRoutesContext): Handlers {
  return {
    'container-list': async (x) => {
      x.req.resume();
      const query = new URLSearchParams(x.query);
      query.set('filters', JSON.stringify(await containerFilters(gw, x.query.get('filters'))));
      gw.forward(x, 'GET', '/containers/json', query);
    },
    'container-create': async (x) => {
      const bytes = await readCapped(x.req, LIMITS.containerCreateBytes);
      // What a container is made with comes back in every `docker ps` and inspect, for as long as it lives.
      if (!bytes) {
        expect(refuse('body_too_large', `the container's settings are larger than ${LIMITS.containerCreateBytes / 1024} KiB: use a shorter command, fewer environment variables or fewer labels`, 413));
      }
      const body = expect(parseJsonBody(bytes!, LIMITS.containerCreateBytes));
      const policed = expect(policeBody(body, CONTAINER_CREATE));
      const image = expect(await gw.own.image(typeof policed.Image === 'string' ? policed.Image : '', 'read'));
      const volumes = (image.info.Config as { Volumes?: unknown } | undefined)?.Volumes;
      const forced = expect(forceContainerCreate({ ...policed, Image: image.engineRef }, gw.options.learnerId, volumes));
      await gw.turn('create', x.res);
      expect(await gw.quota.checkContainers());
      expect(await gw.quota.checkBytes());
      const query = new URLSearchParams();
      const name = x.query.get('name');
      if (name) query.set('name', expect(gw.ns.containerName(name)));
      const answer = await gw.engine.json('POST', '/containers/create', query, forced);
      const id = (answer.body as { Id?: string } | undefined)?.Id;
      if (answer.status === 201 && id) expect(await withoutVolumes(gw, id));
      const text = gw.ns.toLearner(answer.text);
      x.res.writeHead(answer.status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text), 'API-Version': API_VERSION });
      x.res.end(text);
    },
    container: async (x) => {
      x.req.resume();
      const id = expect(await gw.own.container(x.subject));
      const rest = x.path.slice(`/containers/${x.subject}`.length);
      // A stopped container may start writing again: the image-plus-writes quota holds here as at create.
      if (rest === '/start') expect(await gw.quota.checkBytes());
      // A volume never outlives its container, whatever the CLI asked (`docker rm` without -v).
      const query = new URLSearchParams(x.query);
      if (x.method === 'DELETE' && rest === '') query.set('v', '1');
      // Logs are the learner's own program output and `wait` must flush its headers: stream both untouched.
      const mode = rest === '/logs' || rest === '/wait' ? 'raw' : 'json';
      gw.forward(x, x.method, `/containers/${id}${rest}`, query, { mode });
    },
    'container-prune': async (x) => {
      x.req.resume();
      const deleted: string[] = [];
      let reclaimed = 0;
      for (const container of await gw.own.containers(true)) {
        if (container.State === 'running') continue;
        const answer = await gw.engine.json('DELETE', `/containers/${container.Id}`, new URLSearchParams({ v: '1' }));
        if (answer.status === 204) {
          deleted.push(container.Id);
          reclaimed += container.SizeRw ?? 0;
        }
      }
      sendJson(x.res, 200, { ContainersDeleted: deleted.length > 0 ? deleted : null, SpaceReclaimed: reclaimed });
    },
    'exec-create': async (x) => {
      const id = expect(await gw.own.container(x.subject));
      const bytes = await readCapped(x.req, LIMITS.jsonBodyBytes);
      const body = expect(bytes ? parseJsonBody(bytes, LIMITS.jsonBodyBytes) : refuse('body_too_large', `request body is larger than ${LIMITS.jsonBodyBytes} bytes`, 413));
      const policed = expect(policeBody(body, EXEC_CREATE));
      gw.forward(x, 'POST', `/containers/${id}/exec`, undefined, { body: Buffer.from(JSON.stringify(policed)) });
    },
    exec: async (x) => {
      x.req.resume();
      const id = expect(await gw.own.exec(x.subject));
      gw.forward(x, x.method, `/exec/${id}${x.path.slice(`/exec/${x.subject}`.length)}`, x.query);
    },
  };
}

/**
 * The image is looked up before the create, and its name may point elsewhere by the time the engine
 * reads it (a build or tag in between): a container that got a volume after all is removed, volume
 * included, and refused.
 */
async function withoutVolumes(gw: ContainerRoutesContext, id: string): Promise<Result<void>> {
  const inspected = await gw.engine.json('GET', `/containers/${id}/json`);
  const mounts = (inspected.body as { Mounts?: { Type?: string }[] } | undefined)?.Mounts;
  if (inspected.status === 200 && Array.isArray(mounts) && mounts.every((m) => m.Type !== 'volume')) return { ok: true, value: undefined };
  await gw.engine.json('DELETE', `/containers/${id}`, new URLSearchParams({ force: '1', v: '1' }));
  return refuse('setting_forbidden', 'the image changed while the container was being created: run the command again');
}

/** The learner's container list filters, mapped, plus the labels that select only their containers. */
async function containerFilters(gw: ContainerRoutesContext, text: string | null): Promise<Record<string, Record<string, boolean>>> {
    const filters = parseFilters(text);
    const mapped: Record<string, Record<string, boolean>> = {};
    for (const [key, values] of Object.entries(filters)) {
      mapped[key] = {};
      for (const value of values) {
        if (key === 'name') mapped[key][gw.ns.containerPrefix + value.replace(/^\//, '')] = true;
        else if (key === 'ancestor') mapped[key][expect(await gw.own.image(value, 'read')).engineRef] = true;
        else if (['status', 'id', 'label', 'exited', 'health', 'is-task'].includes(key)) mapped[key][value] = true;
        else throw new Refused(refuse('query_forbidden', `the filter "${key}" is not available in this lab`).error);
      }
    }
    mapped.label = { ...mapped.label };
    for (const label of gw.own.containerLabels) mapped.label[label] = true;
    return mapped;
  }
