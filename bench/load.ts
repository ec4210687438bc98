// The load generator, and how figures that are compared get measured: side
// by side. Every source of a comparison (a scenario on the empty store, the
// same on the grown store, its anchor...) is warmed up, then they take turns
// in short slices until each has had its measured seconds, so whatever else
// the machine does during the run weighs on all of them alike.
import { createHistogram, type RecordableHistogram } from 'node:perf_hooks';
import autocannon from 'autocannon';

export interface LoadSpec {
  /** Base URL (scheme, host, port); request paths are absolute. */
  url: string;
  connections: number;
  /**
   * The requests connection `slot` (0..connections-1) repeats. A scenario
   * whose requests depend on earlier answers keeps per-slot state in its
   * closures (autocannon resets its own `context` on every loop).
   */
  requests(slot: number): autocannon.Request[];
  /** Called before every run of the load (e.g. to mend chains a stopped run cut). */
  beforeRun?(): Promise<void>;
  /** The status every answer must have (a failed login's 401); any 2xx when absent. Others count as unexpected. */
  expectStatus?: number;
  /**
   * Background load: connections from `fromSlot` on are not measured, only
   * checked to answer one of `statuses` (others count as unexpected). The
   * measured connections are those before it.
   */
  background?: { fromSlot: number; statuses: number[] };
}

export interface Measurement {
  /** Expected answers (or operations) per second of measurement. */
  rps: number;
  /** Latency percentiles of the expected answers, milliseconds. */
  p50: number;
  p99: number;
  ok: number;
  /** Answers with another status than the expected one (non-2xx, unless the load expects a status). */
  unexpected: number;
  /** Connection errors and timeouts. */
  errors: number;
  seconds: number;
}

export interface LoadTiming {
  warmupSeconds: number;
  durationSeconds: number;
}

/** Accumulates one source's slices. */
export interface Recorder {
  response(status: number, ms: number): void;
  /** An answer of background load with a status it must not have. */
  unexpected(): void;
  failed(count: number): void;
  elapsed(seconds: number): void;
  measurement(): Measurement;
}

const is2xx = (status: number) => status >= 200 && status < 300;

/** `expectStatus`: the one status that counts as ok; any 2xx when absent. */
export function createRecorder(expectStatus?: number): Recorder {
  const expected = expectStatus === undefined ? is2xx : (status: number) => status === expectStatus;
  const latency: RecordableHistogram = createHistogram();
  let ok = 0;
  let unexpected = 0;
  let errors = 0;
  let seconds = 0;
  return {
    response(status, ms) {
      if (expected(status)) {
        ok += 1;
        latency.record(Math.max(1, Math.round(ms * 1000))); // microseconds
      } else {
        unexpected += 1;
      }
    },
    unexpected: () => void (unexpected += 1),
    failed: (count) => void (errors += count),
    elapsed: (s) => void (seconds += s),
    measurement: () => ({
      rps: seconds > 0 ? ok / seconds : 0,
      p50: ok > 0 ? latency.percentile(50) / 1000 : 0,
      p99: ok > 0 ? latency.percentile(99) / 1000 : 0,
      ok,
      unexpected,
      errors,
      seconds,
    }),
  };
}

/** Something that can be put under load for a while: a scenario against a server, or the argon2 bound. */
export interface LoadSource {
  /** What counts as an ok answer: the recorder for this source's slices. */
  recorder(): Recorder;
  /** Load whose figures are discarded. */
  warmup(seconds: number): Promise<void>;
  /** Load for at least `seconds` and at least one answer, recorded. */
  slice(seconds: number, recorder: Recorder): Promise<void>;
}

/** autocannon's own request timeout; a run waiting for its first answer gives up after it. */
const REQUEST_TIMEOUT_SECONDS = 30;

/**
 * Load for `seconds`, then on until the first answer if none came yet.
 * autocannon drops the requests in flight when a run stops, so a run shorter
 * than one answer (a login on a busy machine can take longer than a short
 * smoke-test slice) would otherwise measure 0/s instead of a slow rate.
 */
function runAutocannon(spec: LoadSpec, seconds: number, recorder?: Recorder): Promise<autocannon.Result> {
  let slot = 0;
  let answers = 0;
  let due = false;
  let timer: NodeJS.Timeout | undefined;
  const slots = new WeakMap<object, number>();
  return new Promise((resolve, reject) => {
    const instance = autocannon({
      url: spec.url,
      connections: spec.connections,
      pipelining: 1,
      // The upper bound; the timer below stops the run once it has lasted `seconds` and had an answer.
      duration: seconds + REQUEST_TIMEOUT_SECONDS + 1,
      timeout: REQUEST_TIMEOUT_SECONDS,
      // How often autocannon checks whether to stop: a stop lands within 100 ms, not within its default second.
      sampleInt: 100,
      setupClient(client) {
        client.setRequests(spec.requests(slot % spec.connections));
        slots.set(client, slot % spec.connections);
        slot += 1;
      },
    }, (err, result) => {
      clearTimeout(timer);
      if (err) reject(err as Error);
      else resolve(result);
    });
    timer = setTimeout(() => {
      due = true;
      if (answers > 0) instance.stop();
    }, seconds * 1000);
    instance.on('response', (client, status, _bytes, ms) => {
      const background = spec.background;
      if (background && (slots.get(client) ?? 0) >= background.fromSlot) {
        if (!background.statuses.includes(status)) recorder?.unexpected();
        return;
      }
      // Only a measured answer ends a run that is due: background answers say nothing of the row.
      answers += 1;
      recorder?.response(status, ms);
      if (due && answers === 1) instance.stop();
    });
  });
}

/** A LoadSpec driven by autocannon, pipelining 1: each connection sends its next request when the answer arrives. */
export function httpSource(spec: LoadSpec): LoadSource {
  return {
    recorder: () => createRecorder(spec.expectStatus),
    async warmup(seconds) {
      await spec.beforeRun?.();
      await runAutocannon(spec, seconds);
    },
    async slice(seconds, recorder) {
      await spec.beforeRun?.();
      const result = await runAutocannon(spec, seconds, recorder);
      recorder.failed(result.errors);
      recorder.elapsed(result.duration);
    },
  };
}

/** About this long per turn: long enough for a steady state, short enough that drift hits every source. */
const SLICE_SECONDS = 2;

/** Measure `sources` side by side (warm-up each, then turns); the measurements in the same order. */
export async function measureSideBySide(sources: LoadSource[], timing: LoadTiming): Promise<Measurement[]> {
  if (timing.warmupSeconds > 0) for (const source of sources) await source.warmup(timing.warmupSeconds);
  const rounds = Math.max(1, Math.round(timing.durationSeconds / SLICE_SECONDS));
  const seconds = timing.durationSeconds / rounds;
  const recorders = sources.map((source) => source.recorder());
  for (let round = 0; round < rounds; round += 1) {
    // Rotate who goes first, so no source always follows the same one.
    for (let turn = 0; turn < sources.length; turn += 1) {
      const i = (turn + round) % sources.length;
      await sources[i]!.slice(seconds, recorders[i]!);
    }
  }
  return recorders.map((r) => r.measurement());
}

/** application/x-www-form-urlencoded body. */
export function form(fields: Record<string, string>): string {
  return new URLSearchParams(fields).toString();
}

export function basicAuth(clientId: string, secret: string): string {
  // RFC 6749 §2.3.1: each part form-urlencoded before base64.
  return `Basic ${Buffer.from(`${encodeURIComponent(clientId)}:${encodeURIComponent(secret)}`).toString('base64')}`;
}
