// The HTTP side of the one server process: the built site, /api, and the terminal socket upgrade.
// It wires the other concerns together; none of them import each other.
import { EventEmitter } from 'node:events';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import type { Config } from '../config.ts';
import { openStore, type AttemptSource } from '../store/index.ts';
import { createSandbox, readLessonStart, runningWorkspaces } from '../sandbox/index.ts';
import { createTerminalHub } from '../terminal/index.ts';
import { forLearner, grade, loadLessons, settleRegrade, type LessonLab } from '../grading/index.ts';
import type { CheckResult } from '../../src/schemas/checks.ts';
import { WatchQuery } from '../../src/schemas/requests.ts';
import { learnerApi, readCourse } from './learner-api.ts';
import { LiveChecks } from './live-checks.ts';
import { instructorApi, instructorOf } from './instructor-api.ts';
import { joinApi } from './join-api.ts';
import { classesApi } from './classes-api.ts';
import { ApiRouter } from './router.ts';
import { sendStatic, sendText } from './static.ts';
import { readSessionToken, sessionCookie } from './session-cookie.ts';
import { CloseCode } from '../../src/schemas/frames.ts';
import { allowedOrigins, publicOrigin } from './origins.ts';
import { Admission, type NewLearner } from './admission.ts';
import { SpareLearners } from './spares.ts';
import { addressKey } from './rate-limit.ts';

export interface RunningServer {
  /** The served origin, e.g. http://127.0.0.1:4321. */
  url: string;
  port: number;
  /** Runs the workspace lifecycle sweep now (it also runs on a timer). */
  sweep(): Promise<void>;
  close(): Promise<void>;
}

const SECURITY_HEADERS = {
  // Pages load scripts only from our own files; styles need inline attributes (code highlighting, xterm).
  'Content-Security-Policy': "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; " +
    "connect-src 'self'; font-src 'self'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'",
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'same-origin',
  'X-Frame-Options': 'DENY',
};

/** Largest websocket message accepted; an input frame holds at most 16 KiB of text. */
const MAX_FRAME_BYTES = 64 * 1024;

export async function startServer(config: Config): Promise<RunningServer> {
  fs.mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
  warnOnProfileMismatch(config);
  const store = openStore(path.join(config.dataDir, 'stagecraft.db'));
  // A build the previous server process was relaying when it stopped will never finish.
  store.interruptRunningBuilds();
  // Created once the lessons are loaded; the sandbox reports changes to it from then on.
  let live: LiveChecks | undefined;
  // The terminal is created after the sandbox but asked lazily, when a sweep runs.
  let inUse: (learnerId: string) => boolean = () => false;
  const labs = await loadLessons(config.root, config.profile);
  const lessonStarts = (await Promise.all([...labs.values()].map((lab) => readLessonStart(config.root, lab.slug, lab.workdir))))
    .filter((start) => start !== undefined);
  const sandbox = createSandbox({
    lessonStarts,
    lifecycle: config.lifecycle,
    quotas: config.quotas,
    shell: config.shell,
    inUse: (learnerId) => inUse(learnerId),
    engines: config.engines,
    engineDownAfterMs: config.engineDownAfterMs,
    pins: { pinned: (id) => store.enginePinned(id), pin: (id, url) => store.pinEngine(id, url), counts: () => store.enginePinCounts() },
    builds: store,
    onImagesChanged: (learnerId) => live?.changed(learnerId),
    profile: config.profile,
    dataDir: config.dataDir,
    onRefusal: (learner, refusal, request) => console.info(JSON.stringify({ event: 'gateway_refusal', learner, code: refusal.code, method: request.method, url: request.url })),
  });
  const terminal = createTerminalHub((learnerId, size) => sandbox.openShell(learnerId, size));
  inUse = (learnerId) => terminal.isAttached(learnerId) || spares.has(learnerId);
  const sockets = new WebSocketServer({ noServer: true, maxPayload: MAX_FRAME_BYTES, perMessageDeflate: false });
  let origins = new Set<string>();
  // Grades that change (a check, an override) are announced here, for live gradebooks.
  const changes = new EventEmitter();
  changes.setMaxListeners(0);
  /** Runs a lesson's checks for a learner (a pass whose image is gone stands), stores every result (and who ran it) and announces the change. */
  const gradeAndRecord = async (learnerId: string, lab: LessonLab, source: AttemptSource = 'learner'): Promise<CheckResult[]> => {
    const graded = await grade(lab, sandbox.learnerEngine(learnerId), store.failuresSoFar(learnerId, lab.slug), store.lessonInputs(learnerId, lab.slug).measurements);
    // Every run, the learner's own as well as a regrade: an image removed after it passed (the cmake
    // lesson's tidy-up step, with the page open) leaves the pass standing.
    const results = settleRegrade(graded, store.judgedStatuses(learnerId, lab.slug));
    store.recordAttempts(learnerId, lab.slug, results.map((r) => ({
      checkId: r.id, specHash: lab.specHashes[r.id]!, status: r.status, points: r.points, maxPoints: r.maxPoints, evidence: r.evidence,
      detail: { expected: r.expected, seen: r.seen, hint: r.hint, cause: r.cause },
    })), Date.now(), source);
    changes.emit('learner', learnerId);
    return forLearner(lab, results);
  };
  /** What the learner's lesson page shows on arrival: their latest results, and an override of and a comment on the lesson if any. */
  const latestOf = (learnerId: string, lab: LessonLab) => ({
    results: forLearner(lab, store.latestResults(learnerId, lab.slug).flatMap((r): CheckResult[] => {
      const check = lab.checks.find((c) => c.id === r.checkId);
      return check ? [{ id: r.checkId, title: check.title, status: r.status, points: r.points, maxPoints: r.maxPoints, evidence: r.evidence, ...r.detail }] : [];
    })),
    override: store.learnerOverrides(learnerId).find((o) => o.lesson === lab.slug),
    comment: store.learnerComments(learnerId).find((c) => c.lesson === lab.slug),
  });
  live = new LiveChecks({ labs, grade: (learnerId, lab) => gradeAndRecord(learnerId, lab), latest: latestOf });
  const running = runningWorkspaces(config.engines, config.dataDir);
  // A spare's workspace is nobody's yet: it takes no place under the cap until a visitor takes it.
  const admission: Admission = new Admission({ ...config.visitors, running: async (): Promise<Set<string>> => new Set([...await running()].filter((id) => !spares.has(id))) });
  const spares: SpareLearners = new SpareLearners({
    count: config.spareWorkspaces, create: () => store.createLearner(), room: () => admission.room(),
    prepare: (learnerId) => sandbox.prepareWorkspace(learnerId),
  });
  let baseUrl = '';
  const instructorFor = instructorOf(store);
  const api = new ApiRouter(() => origins);
  const learner = (req: http.IncomingMessage) => learnerFor(req);
  const admit: NewLearner = (req, res) => newLearner(req, res);
  // Within the cap on running workspaces, as a terminal is (a refused one is told so by its terminal).
  const prepareWorkspace = (learnerId: string) => {
    if (terminal.hasShell(learnerId)) return; // a reload reattaches to the shell it has
    void admission.workspace(learnerId)
      .then((refusal) => (refusal ? undefined : sandbox.prepareWorkspace(learnerId)))
      .catch((error: unknown) => console.error('prepare workspace:', error))
      .finally(() => spares.fill()); // the next spare, once this learner's workspace is not waiting on the engine
  };
  learnerApi(api, { config, sandbox, store, labs, lessonStarts: new Set(lessonStarts.map((start) => start.slug)), learner, newLearner: admit, gradeAndRecord: (id, lab) => gradeAndRecord(id, lab), live, prepareWorkspace });
  instructorApi(api, store);
  joinApi(api, { store, learner, newLearner: admit, joined: (learnerId) => changes.emit('learner', learnerId) });
  classesApi(api, {
    store, labs, lessons: () => readCourse(config.siteDir, labs), instructor: instructorFor, baseUrl: () => baseUrl, changes,
    regrade: (learnerId, lab) => gradeAndRecord(learnerId, lab, 'regrade'),
  });
  if (config.instructor) store.ensureInstructor(config.instructor.name, config.instructor.password);

  /** The learner behind a request's session cookie, if any. Reading never creates one. */
  const learnerFor = (req: http.IncomingMessage): string | undefined => {
    const token = readSessionToken(req.headers.cookie);
    return token ? store.learnerForSession(token) : undefined;
  };
  /**
   * A new learner for a stateful request (POST /api/session, a check, a join) whose cookie is set on
   * `res`; or why not (the lab is full, or this address has started too many learners lately).
   */
  const newLearner: NewLearner = async (req, res) => {
    const made = await admission.newLearner(addressKey(req.socket.remoteAddress), () => spares.take() ?? store.createLearner());
    if (!made.ok) return made;
    res.setHeader('Set-Cookie', sessionCookie(made.value.token));
    return { ok: true, value: made.value.learnerId };
  };

  const server = http.createServer(async (req, res) => {
    for (const [name, value] of Object.entries(SECURITY_HEADERS)) res.setHeader(name, value);
    const url = requestUrl(req.url);
    if (!url) return sendText(res, 400, 'Bad request');
    if (url.pathname.startsWith('/api/')) return api.handle(req, res, url);
    if (req.method !== 'GET' && req.method !== 'HEAD') return sendText(res, 405, 'Method not allowed');
    // Pages create nothing: a visitor becomes a learner at their first stateful request.
    sendStatic(config.siteDir, req, res);
  });

  server.on('upgrade', (req: http.IncomingMessage, socket: Duplex, head: Buffer) => {
    // A peer may reset the connection while we answer; unhandled, that error would end the server.
    socket.on('error', () => socket.destroy());
    const deny = (status: number) => {
      socket.end(`HTTP/1.1 ${status} ${http.STATUS_CODES[status]}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
    };
    const url = requestUrl(req.url);
    if (!url) return deny(400);
    if (!origins.has(req.headers.origin ?? '')) return deny(403);
    if (url.pathname === '/ws/terminal') {
      const learnerId = learnerFor(req);
      if (!learnerId) return deny(403);
      // A full lab still lets in a learner whose workspace runs; anyone else reads why in the
      // terminal panel (a close reason it shows, then retries), since a browser never sees a refused
      // upgrade's status.
      return void admission.workspace(learnerId).then((refusal) => sockets.handleUpgrade(req, socket, head, (ws) => {
        // A close reason over 123 bytes throws; the messages are ASCII, so a cut is still valid text.
        if (refusal) ws.close(CloseCode.workspaceUnavailable, refusal.message.slice(0, 123));
        else terminal.attach(ws, learnerId);
      }), (error: unknown) => {
        console.error('terminal: admission failed', error);
        socket.destroy();
      });
    }
    if (url.pathname === '/ws/watch') {
      // An instructor's read-only view: their own cookie, their own class, a learner of that class.
      const instructor = instructorFor(req);
      const asked = WatchQuery.safeParse(Object.fromEntries(url.searchParams));
      const klass = instructor && asked.success ? store.classOf(asked.data.class, instructor.id) : undefined;
      const learnerId = asked.data?.learner;
      if (!klass || !learnerId || !store.members(klass.id).some((m) => m.learnerIds.includes(learnerId))) return deny(403);
      return void sockets.handleUpgrade(req, socket, head, (ws) => {
        if (!terminal.watch(ws, learnerId)) ws.close(CloseCode.workspaceUnavailable, 'This learner has no terminal open right now.');
      });
    }
    deny(404);
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => resolve());
  });
  const port = (server.address() as { port: number }).port;
  spares.fill();
  origins = allowedOrigins(config.host, port, config.extraOrigins);
  baseUrl = publicOrigin(config.host, port, config.extraOrigins);
  const shownHost = config.host.includes(':') ? `[${config.host}]` : config.host;
  return {
    url: `http://${shownHost}:${port}`,
    port,
    sweep: () => sandbox.sweep(),
    async close() {
      spares.close();
      terminal.close();
      for (const client of sockets.clients) client.terminate();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await sandbox.close();
      store.close();
    },
  };
}

/** The site names base images for the profile it was built with; say so if the server runs another. */
function warnOnProfileMismatch(config: Config): void {
  const home = path.join(config.siteDir, 'index.html');
  if (!fs.existsSync(home)) return void console.warn(`The site is not built (${home} is missing): run \`npx astro build\`.`);
  const built = /name="stagecraft-profile" content="(\w+)"/.exec(fs.readFileSync(home, 'utf8'))?.[1];
  if (built && built !== config.profile) {
    console.warn(`The site was built for the ${built} profile but the server runs ${config.profile}: rebuild with STAGECRAFT_PROFILE=${config.profile} npx astro build.`);
  }
}

/**
 * The request's path and query, or undefined for a target the URL parser refuses (`//`, `//x:99999`):
 * thrown inside an event handler, that error once ended the whole server.
 */
function requestUrl(target: string | undefined): URL | undefined {
  if (!target?.startsWith('/') || target.startsWith('//')) return undefined;
  try {
    return new URL(target, 'http://site');
  } catch {
    return undefined;
  }
}
