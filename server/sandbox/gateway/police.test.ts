import { describe, expect, it } from 'vitest';
import { CONTAINER_CREATE, EXEC_CREATE } from '../policy.ts';
import { isZero, matchRoute, parseJsonBody, policeBody, policeBuildQuery } from './police.ts';
import { forceBuildQuery, forceContainerCreate } from './forced.ts';

// What docker CLI 20.10 sends for `docker run --rm -it alpine sh` (captured from the real CLI).
const CLI_CREATE = JSON.parse(`{"Hostname":"","Domainname":"","User":"","AttachStdin":true,"AttachStdout":true,"AttachStderr":true,"Tty":true,"OpenStdin":true,"StdinOnce":true,"Env":null,"Cmd":["sh"],"Image":"alpine","Volumes":{},"WorkingDir":"","Entrypoint":null,"OnBuild":null,"Labels":{},"HostConfig":{"Binds":null,"ContainerIDFile":"","LogConfig":{"Type":"","Config":{}},"NetworkMode":"default","PortBindings":{},"RestartPolicy":{"Name":"no","MaximumRetryCount":0},"AutoRemove":true,"VolumeDriver":"","VolumesFrom":null,"CapAdd":null,"CapDrop":null,"CgroupnsMode":"","Dns":[],"DnsOptions":[],"DnsSearch":[],"ExtraHosts":null,"GroupAdd":null,"IpcMode":"","Cgroup":"","Links":null,"OomScoreAdj":0,"PidMode":"","Privileged":false,"PublishAllPorts":false,"ReadonlyRootfs":false,"SecurityOpt":null,"UTSMode":"","UsernsMode":"","ShmSize":0,"ConsoleSize":[0,0],"Isolation":"","CpuShares":0,"Memory":0,"NanoCpus":0,"CgroupParent":"","BlkioWeight":0,"BlkioWeightDevice":[],"BlkioDeviceReadBps":null,"BlkioDeviceWriteBps":null,"BlkioDeviceReadIOps":null,"BlkioDeviceWriteIOps":null,"CpuPeriod":0,"CpuQuota":0,"CpuRealtimePeriod":0,"CpuRealtimeRuntime":0,"CpusetCpus":"","CpusetMems":"","Devices":[],"DeviceCgroupRules":null,"DeviceRequests":null,"KernelMemory":0,"KernelMemoryTCP":0,"MemoryReservation":0,"MemorySwap":0,"MemorySwappiness":-1,"OomKillDisable":false,"PidsLimit":0,"Ulimits":null,"CpuCount":0,"CpuPercent":0,"IOMaximumIOps":0,"IOMaximumBandwidth":0,"MaskedPaths":null,"ReadonlyPaths":null},"NetworkingConfig":{"EndpointsConfig":{}}}`);
// CLI 28 adds an endpoint named after the network ("default"), all zero values.
const CLI28_ENDPOINTS = { EndpointsConfig: { default: { IPAMConfig: null, Links: null, Aliases: null, MacAddress: '', GwPriority: 0, DNSNames: null } } };

const withHost = (hostConfig: Record<string, unknown>) => ({ ...CLI_CREATE, HostConfig: { ...CLI_CREATE.HostConfig, ...hostConfig } });
const codeOf = (result: { ok: boolean; error?: { code: string } }) => (result.ok ? 'ok' : result.error!.code);

describe('container create policy', () => {
  it('accepts what the 20.10 and 28 CLIs send for a plain docker run', () => {
    expect(codeOf(policeBody(CLI_CREATE, CONTAINER_CREATE))).toBe('ok');
    expect(codeOf(policeBody({ ...CLI_CREATE, NetworkingConfig: CLI28_ENDPOINTS }, CONTAINER_CREATE))).toBe('ok');
  });

  // Each escape flag of the design's security list, as the CLI encodes it.
  const attacks: [string, Record<string, unknown>, string][] = [
    ['--privileged', withHost({ Privileged: true }), '--privileged is not allowed in this lab'],
    ['-v /:/host', withHost({ Binds: ['/:/host'] }), 'mounting host folders (-v) is not allowed'],
    ['--mount', withHost({ Mounts: [{ Type: 'bind', Source: '/', Target: '/host' }] }), '--mount is not allowed'],
    ['--pid=host', withHost({ PidMode: 'host' }), '--pid is not allowed'],
    ['--ipc=host', withHost({ IpcMode: 'host' }), '--ipc is not allowed'],
    ['--uts=host', withHost({ UTSMode: 'host' }), '--uts is not allowed'],
    ['--network host', withHost({ NetworkMode: 'host' }), '--network is not allowed'],
    ['--cap-add', withHost({ CapAdd: ['SYS_ADMIN'] }), '--cap-add is not allowed'],
    ['--device', withHost({ Devices: [{ PathOnHost: '/dev/kmsg', PathInContainer: '/dev/kmsg', CgroupPermissions: 'rwm' }] }), '--device is not allowed'],
    ['--security-opt', withHost({ SecurityOpt: ['apparmor=unconfined'] }), '--security-opt is not allowed'],
    ['--userns=host', withHost({ UsernsMode: 'host' }), '--userns is not allowed'],
    ['--cgroup-parent', withHost({ CgroupParent: '/' }), '--cgroup-parent is not allowed'],
    ['--volumes-from', withHost({ VolumesFrom: ['other'] }), '--volumes-from is not allowed'],
    ['--sysctl', withHost({ Sysctls: { 'kernel.shmmax': '1' } }), '--sysctl is not allowed'],
    ['--memory', withHost({ Memory: 8 * 1024 ** 3 }), '--memory is not allowed'],
    ['--pids-limit', withHost({ PidsLimit: -1 }), '--pids-limit is not allowed'],
  ];
  it.each(attacks)('refuses %s with a Docker-style message', (_flag, body, message) => {
    const result = policeBody(body, CONTAINER_CREATE);
    expect(codeOf(result)).toBe('setting_forbidden');
    expect(result.ok ? '' : result.error.message).toContain(`Stagecraft: ${message}`);
  });

  it('refuses a lower-case key instead of letting the engine read it case-insensitively', () => {
    const result = policeBody({ Image: 'x', hostconfig: { privileged: true } }, CONTAINER_CREATE);
    expect(codeOf(result)).toBe('unknown_field');
  });

  it('refuses a lower-case key nested in HostConfig', () => {
    expect(codeOf(policeBody({ Image: 'x', HostConfig: { privileged: true } }, CONTAINER_CREATE))).toBe('unknown_field');
  });

  it('refuses an unknown field, even a harmless-looking one', () => {
    expect(codeOf(policeBody({ Image: 'x', HostConfig: { Annotations: {} } }, CONTAINER_CREATE))).toBe('unknown_field');
  });

  it('checks the last of duplicate keys, which is the one the engine would read, and forwards only that', () => {
    const parsed = parseJsonBody(Buffer.from('{"Image":"x","HostConfig":{"Privileged":false,"Privileged":true}}'), 1024);
    expect(parsed.ok).toBe(true);
    expect(codeOf(policeBody(parsed.ok ? parsed.value : {}, CONTAINER_CREATE))).toBe('setting_forbidden');
    const harmless = parseJsonBody(Buffer.from('{"Image":"x","Image":"y"}'), 1024);
    const policed = policeBody(harmless.ok ? harmless.value : {}, CONTAINER_CREATE);
    expect(policed.ok && JSON.stringify(policed.value)).toBe('{"Image":"y"}');
  });

  it('refuses a body that is not a JSON object, or too large', () => {
    expect(codeOf(parseJsonBody(Buffer.from('[1]'), 1024))).toBe('malformed_request');
    expect(codeOf(parseJsonBody(Buffer.from('{"Image":'), 1024))).toBe('malformed_request');
    expect(codeOf(parseJsonBody(Buffer.alloc(2048, 32), 1024))).toBe('body_too_large');
  });

  it('forces network none, dropped capabilities, limits and the learner label', () => {
    const policed = policeBody(withHost({ AutoRemove: true }), CONTAINER_CREATE);
    const forced = forceContainerCreate(policed.ok ? policed.value : {}, 'learner1');
    expect(forced.ok).toBe(true);
    const body = forced.ok ? forced.value : {};
    const host = body.HostConfig as Record<string, unknown>;
    expect(host).toMatchObject({ NetworkMode: 'none', CapDrop: ['ALL'], SecurityOpt: ['no-new-privileges'], AutoRemove: true });
    expect(host.Memory).toBeGreaterThan(0);
    expect(host.PidsLimit).toBeGreaterThan(0);
    expect(host.Privileged).toBeUndefined();
    expect(body.Labels).toMatchObject({ 'org.stagecraft.learner': 'learner1' });
  });

  it('does not let a learner set the ownership label', () => {
    const result = forceContainerCreate({ Image: 'x', Labels: { 'org.stagecraft.learner': 'someone-else' } }, 'me');
    expect(codeOf(result)).toBe('setting_forbidden');
  });

  it('refuses a privileged exec', () => {
    expect(codeOf(policeBody({ Cmd: ['sh'], Privileged: true }, EXEC_CREATE))).toBe('setting_forbidden');
    expect(codeOf(policeBody({ Cmd: ['sh'], Privileged: false, Tty: true }, EXEC_CREATE))).toBe('ok');
  });

  it('treats nested zero values as unset', () => {
    expect(isZero({ a: [0, ''], b: { c: null } })).toBe(true);
    expect(isZero({ a: [0, 'x'] })).toBe(false);
  });
});

describe('routes', () => {
  it('strips and pins the API version', () => {
    const matched = matchRoute('GET', '/v1.41/containers/json?all=1');
    expect(matched.ok && matched.value.path).toBe('/containers/json');
    expect(codeOf(matchRoute('GET', '/v1.99/containers/json'))).toBe('api_version_unsupported');
    expect(codeOf(matchRoute('GET', '/v1.12/containers/json'))).toBe('api_version_unsupported');
  });

  it('denies endpoints that are not listed', () => {
    for (const [method, url] of [['POST', '/v1.41/volumes/create'], ['GET', '/v1.41/volumes'], ['GET', '/v1.41/images/get'], ['POST', '/v1.41/images/load'],
      ['GET', '/v1.41/containers/x/export'], ['POST', '/v1.41/commit'], ['POST', '/v1.41/swarm/init'], ['POST', '/v1.41/plugins/pull']]) {
      expect(codeOf(matchRoute(method!, url!)), url).toBe('endpoint_forbidden');
    }
  });

  it('refuses BuildKit sessions with a message about the classic builder', () => {
    const result = matchRoute('POST', '/session');
    expect(codeOf(result)).toBe('buildkit_forbidden');
    expect(result.ok ? '' : result.error.message).toContain('classic builder');
    expect(codeOf(matchRoute('POST', '/v1.41/build?version=2&t=x'))).toBe('buildkit_forbidden');
    expect(codeOf(matchRoute('POST', '/grpc'))).toBe('buildkit_forbidden');
  });

  it('refuses encoded or traversing paths and unknown query fields', () => {
    expect(codeOf(matchRoute('GET', '/v1.41/images/..%2f..%2fcontainers/json'))).toBe('malformed_request');
    expect(codeOf(matchRoute('GET', '/v1.41/images/../containers/json'))).toBe('malformed_request');
    expect(codeOf(matchRoute('GET', '/v1.41/containers/json?all=1&all=0'))).toBe('malformed_request');
    expect(codeOf(matchRoute('GET', '/v1.41/containers/json?secret=1'))).toBe('query_forbidden');
  });

  it('matches image names with slashes and tags', () => {
    const matched = matchRoute('GET', '/v1.41/images/stagecraft/toolchain:latest/json');
    expect(matched.ok && matched.value.route.handler).toBe('image-inspect');
  });
});

describe('build query policy', () => {
  // What the 20.10 CLI sends for `docker build -t hello-world .`.
  const CLI_BUILD = 'buildargs=%7B%7D&cachefrom=%5B%5D&cgroupparent=&cpuperiod=0&cpuquota=0&cpusetcpus=&cpusetmems=&cpushares=0&dockerfile=Dockerfile&labels=%7B%7D&memory=0&memswap=0&networkmode=default&rm=1&shmsize=0&t=hello-world&target=&ulimits=null&version=1';

  it('accepts the CLI defaults and writes the lab limits over them', () => {
    const policed = policeBuildQuery(new URLSearchParams(CLI_BUILD));
    expect(policed.ok).toBe(true);
    const forced = forceBuildQuery(policed.ok ? policed.value : new URLSearchParams(), 'learner1');
    const query = forced.ok ? forced.value : new URLSearchParams();
    expect(query.get('t')).toBe('hello-world');
    expect(query.get('networkmode')).toBe('none');
    // Whatever the learner asked: the gateway reads each step's container before it removes it.
    expect(query.get('rm')).toBe('0');
    expect(query.get('forcerm')).toBe('0');
    expect(Number(query.get('memory'))).toBeGreaterThan(0);
    expect(JSON.parse(query.get('labels')!)).toEqual({ 'org.stagecraft.learner': 'learner1' });
  });

  it('refuses docker build --network host, a remote context, a cgroup parent and unknown fields', () => {
    expect(codeOf(policeBuildQuery(new URLSearchParams('t=x&networkmode=host')))).toBe('setting_forbidden');
    expect(codeOf(policeBuildQuery(new URLSearchParams('t=x&remote=http://example.invalid/x.tar')))).toBe('query_forbidden');
    expect(codeOf(policeBuildQuery(new URLSearchParams('t=x&cgroupparent=/')))).toBe('setting_forbidden');
    expect(codeOf(policeBuildQuery(new URLSearchParams('t=x&extrahosts=a:1.2.3.4')))).toBe('query_forbidden');
  });
});
