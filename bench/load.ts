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
}

export interface Measurement {
  /** 2xx answers (or operations) per second of measurement. */
  rps: number;
  /** Latency percentiles of the 2xx answers, milliseconds. */
  p50: number;
  p99: number;
  ok: number;
  non2xx: number;
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
  failed(count: number): void;
  elapsed(seconds: number): void;
  measurement(): Measurement;
}

export function createRecorder(): Recorder {
  const latency: RecordableHistogram = createHistogram();
  let ok = 0;
  let non2xx = 0;
  let errors = 0;
  let seconds = 0;
  return {
    response(status, ms) {
      if (status >= 200 && status < 300) {
        ok += 1;
        latency.record(Math.max(1, Math.round(ms * 1000))); // microseconds
      } else {
        non2xx += 1;
      }
    },
    failed: (count) => void (errors += count),
    elapsed: (s) => void (seconds += s),
    measurement: () => ({
      rps: seconds > 0 ? ok / seconds : 0,
      p50: ok > 0 ? latency.percentile(50) / 1000 : 0,
      p99: ok > 0 ? latency.percentile(99) / 1000 : 0,
      ok,
      non2xx,
      errors,
      seconds,
    }),
  };
}

/** Something that can be put under load for a while: a scenario against a server, or the argon2 bound. */
export interface LoadSource {
  /** Load whose figures are discarded. */
  warmup(seconds: number): Promise<void>;
  /** Load for `seconds`, recorded. */
  slice(seconds: number, recorder: Recorder): Promise<void>;
}

function runAutocannon(spec: LoadSpec, seconds: number, recorder?: Recorder): Promise<autocannon.Result> {
  let slot = 0;
  return new Promise((resolve, reject) => {
    const instance = autocannon({
      url: spec.url,
      connections: spec.connections,
      pipelining: 1,
      duration: seconds,
      timeout: 30,
      setupClient(client) {
        client.setRequests(spec.requests(slot % spec.connections));
        slot += 1;
      },
    }, (err, result) => (err ? reject(err as Error) : resolve(result)));
    if (recorder) instance.on('response', (_client, status, _bytes, ms) => recorder.response(status, ms));
  });
}

/** A LoadSpec driven by autocannon, pipelining 1: each connection sends its next request when the answer arrives. */
export function httpSource(spec: LoadSpec): LoadSource {
  return {
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
  const recorders = sources.map(() => createRecorder());
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
