// The learner's Docker CLI, through the gateway: the lesson's build and run work; escape flags
// are refused with a message that says what is not allowed.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../support/server.ts';
import { openTerminal, type TerminalClient } from '../../support/terminal-client.ts';
import { recordRefusals, type RefusalLog } from '../../support/refusals.ts';
import { run } from '../../support/shell.ts';

let server: TestServer;
let terminal: TerminalClient;
let refusals: RefusalLog;

beforeAll(async () => {
  refusals = recordRefusals();
  server = await startTestServer();
  terminal = await openTerminal(server.url);
  await run(terminal, `mkdir -p ~/hello && cd ~/hello && printf '%s\\n' '#include <stdio.h>' 'int main(void) { printf("Hello, world!\\n"); return 0; }' > hello.c`);
  await run(terminal, "mkdir -p ~/plain && printf 'FROM stagecraft/runtime\\n' > ~/plain/Dockerfile");
});

afterAll(async () => {
  refusals.stop();
  await terminal?.close();
  await server?.cleanup();
});

const refusedCode = async (command: string) => {
  refusals.clear();
  const output = await run(terminal, command);
  return { output, code: refusals.codes.at(-1) };
};

// Tests other than the first run the course's base image, so none needs another's build.
describe('docker through the gateway', () => {
  it('builds the single-stage image and runs it', async () => {
    await run(terminal, `cd ~/hello && printf '%s\\n' 'FROM stagecraft/toolchain' 'WORKDIR /app' 'COPY . /app' 'RUN mkdir bin' 'RUN gcc -Wall hello.c -o bin/hello' 'CMD /app/bin/hello' > Dockerfile`);
    const build = await run(terminal, 'docker build -t hello-world .', 120_000);
    expect(build).toContain('Successfully tagged hello-world:latest');
    expect(await run(terminal, 'docker run --rm hello-world')).toBe('Hello, world!\n');
    expect(await run(terminal, 'docker image ls --format "{{.Repository}}:{{.Tag}}" hello-world')).toBe('hello-world:latest\n');
  });

  // Issue 16: the lab's ownership label is a build option, which the classic builder makes a step.
  it('numbers the build\'s steps as the learner\'s six instructions, and shows no step of the lab\'s own', async () => {
    const build = await run(terminal, 'cd ~/hello && docker build --no-cache -t hello-world .', 120_000);
    expect([...build.matchAll(/^Step (\d+\/\d+) : (\w+)/gm)].map((m) => `${m[1]} ${m[2]}`)).toEqual(['1/6 FROM', '2/6 WORKDIR', '3/6 COPY', '4/6 RUN', '5/6 RUN', '6/6 CMD']);
    expect(build).not.toContain('org.stagecraft');
    const history = await run(terminal, "docker history --no-trunc --format '{{.ID}} {{.CreatedBy}}' hello-world");
    expect(history).not.toContain('org.stagecraft');
    const [topId, ...topCommand] = history.split('\n')[0]!.split(' ');
    expect(topCommand.join(' ')).toMatch(/CMD \["\/bin\/sh" "-c" "\/app\/bin\/hello"\]|CMD \/app\/bin\/hello/);
    expect(topId).toBe((await run(terminal, "docker image inspect -f '{{.Id}}' hello-world")).trim());
    // The lesson page's layer view reads the same history.
    const layers = await (await fetch(`${server.url}/api/images/layers?image=hello-world`, { headers: { Cookie: terminal.cookie! } })).json() as { images: { layers: { createdBy: string }[] }[] };
    expect(layers.images[0]!.layers[0]!.createdBy).toMatch(/^CMD /);
    expect(JSON.stringify(layers)).not.toContain('org.stagecraft');
  });

  it('reports a broken Dockerfile as the engine does, and keeps nothing of it', async () => {
    await run(terminal, `cd ~/hello && printf '%s\\n' 'FROM stagecraft/toolchain' 'RUN gcc --version &&' 'make --version' > Dockerfile.broken`);
    const build = await run(terminal, 'docker build -f Dockerfile.broken -t broken .');
    expect(build).toMatch(/unknown instruction: MAKE/i);
    expect(await run(terminal, 'docker image ls -q broken')).toBe('');
  });

  it.each([
    ['--privileged', 'docker run --rm --privileged stagecraft/runtime', '--privileged is not allowed in this lab'],
    ['-v /:/host', 'docker run --rm -v /:/host stagecraft/runtime', 'mounting host folders (-v) is not allowed in this lab'],
    ['--network host', 'docker run --rm --network host stagecraft/runtime', '--network is not allowed in this lab'],
    ['--cap-add', 'docker run --rm --cap-add SYS_ADMIN stagecraft/runtime', '--cap-add is not allowed in this lab'],
    ['--pid=host', 'docker run --rm --pid host stagecraft/runtime', '--pid is not allowed in this lab'],
    ['--device', 'docker run --rm --device /dev/kmsg stagecraft/runtime', '--device is not allowed in this lab'],
    ['--mount', 'docker run --rm --mount type=bind,source=/,target=/host stagecraft/runtime', '--mount is not allowed in this lab'],
    ['--security-opt', 'docker run --rm --security-opt apparmor=unconfined stagecraft/runtime', '--security-opt is not allowed in this lab'],
    ['--userns=host', 'docker run --rm --userns host stagecraft/runtime', '--userns is not allowed in this lab'],
    ['--cgroup-parent', 'docker run --rm --cgroup-parent / stagecraft/runtime', '--cgroup-parent is not allowed in this lab'],
    ['--ipc host', 'docker run --rm --ipc host stagecraft/runtime', '--ipc is not allowed in this lab'],
    ['--uts host', 'docker run --rm --uts host stagecraft/runtime', '--uts is not allowed in this lab'],
    ['--sysctl', 'docker run --rm --sysctl net.ipv4.ip_forward=1 stagecraft/runtime', '--sysctl is not allowed in this lab'],
    ['--memory', 'docker run --rm --memory 8g stagecraft/runtime', '--memory is not allowed in this lab'],
    ['-p', 'docker run --rm -p 8080:80 stagecraft/runtime', 'publishing ports (-p) is not available'],
  ])('refuses docker run %s with a Docker-style message', async (_flag, command, message) => {
    const { output, code } = await refusedCode(command);
    expect(output).toContain(`Stagecraft: ${message}`);
    expect(code).toBe('setting_forbidden');
  });

  it('refuses docker build --network host', async () => {
    const { output, code } = await refusedCode('cd ~/plain && docker build --network host -t x .');
    expect(output).toContain('Stagecraft: --network is not allowed for builds in this lab');
    expect(code).toBe('setting_forbidden');
  });

  it('refuses BuildKit and says the lab uses the classic builder', async () => {
    const { output } = await refusedCode('cd ~/plain && DOCKER_BUILDKIT=1 docker build -t x .');
    expect(output).toMatch(/classic builder|BuildKit/);
  });

  it('refuses endpoints outside the allow-list: volumes, networks, save, load, commit, export', async () => {
    for (const command of ['docker volume ls', 'docker network ls', 'docker save -o x.tar stagecraft/runtime', 'docker load -i /dev/null',
      'docker commit $(docker create stagecraft/runtime) x', 'docker export -o x.tar $(docker create stagecraft/runtime)']) {
      const { output, code } = await refusedCode(command);
      expect(output, command).toContain('is not available in this lab');
      expect(code).toBe('endpoint_forbidden');
    }
  });

  it('runs containers with no network and the lab limits whatever was asked', async () => {
    const id = (await run(terminal, 'docker create stagecraft/runtime')).trim();
    const inspect = await run(terminal, `docker inspect --format '{{.HostConfig.NetworkMode}} {{.HostConfig.Memory}} {{.HostConfig.PidsLimit}} {{.HostConfig.CapDrop}}' ${id}`);
    expect(inspect.trim()).toMatch(/^none [1-9]\d* [1-9]\d* \[ALL\]$/);
    await run(terminal, `docker rm ${id}`);
  });

  it('cannot pull: there is no registry, and the message says what to do instead', async () => {
    const { output, code } = await refusedCode('docker run --rm no-such-image-here');
    expect(output).toContain('nothing can be pulled');
    expect(code).toBe('pull_unavailable');
  });
});
