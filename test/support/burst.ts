// Concurrent attacks as an attacker sends them: every request is built first,
// then all are fired in the same tick (a barrier) and awaited together.
export interface BurstResponse {
  status: number;
  headers: Headers;
  body: string;
}

export interface BurstRequest {
  url: string;
  method?: string;
  headers?: Record<string, string>;
  json?: unknown;
  form?: Record<string, string>;
}

function build(r: BurstRequest): Request {
  const headers: Record<string, string> = { ...r.headers };
  let body: string | undefined;
  if (r.json !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(r.json);
  } else if (r.form) {
    headers['content-type'] = 'application/x-www-form-urlencoded';
    body = new URLSearchParams(r.form).toString();
  }
  return new Request(r.url, { method: r.method ?? (body ? 'POST' : 'GET'), headers, body });
}

export async function fireTogether(requests: BurstRequest[]): Promise<BurstResponse[]> {
  const prepared = requests.map(build);
  return Promise.all(prepared.map(async (req) => {
    const res = await fetch(req);
    return { status: res.status, headers: res.headers, body: await res.text() };
  }));
}

/** How many answers had each status, for assertion messages. */
export function statusCounts(responses: Array<{ status: number }>): Record<number, number> {
  const counts: Record<number, number> = {};
  for (const { status } of responses) counts[status] = (counts[status] ?? 0) + 1;
  return counts;
}
