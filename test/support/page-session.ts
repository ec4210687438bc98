// Drives the server-rendered pages over plain HTTP, as a browser without
// JavaScript would: a cookie jar, manual redirects, and form posts built from
// the page's own hidden fields.
export interface PageResponse {
  status: number;
  url: string;
  headers: Headers;
  body: string;
}

export class PageSession {
  private readonly cookies = new Map<string, string>();

  /** The value of a cookie in the jar (to inspect what the browser holds). */
  cookie(name: string): string | undefined {
    return this.cookies.get(name);
  }

  async request(url: string, init: { method?: string; form?: Record<string, string> } = {}): Promise<PageResponse> {
    const headers: Record<string, string> = { accept: 'text/html' };
    if (this.cookies.size > 0) headers.cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    let body: string | undefined;
    if (init.form) {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      body = new URLSearchParams(init.form).toString();
    }
    const res = await fetch(url, { method: init.method ?? (body ? 'POST' : 'GET'), headers, body, redirect: 'manual' });
    for (const cookie of res.headers.getSetCookie()) {
      const [pair] = cookie.split(';');
      const eq = pair!.indexOf('=');
      const name = pair!.slice(0, eq).trim();
      const value = pair!.slice(eq + 1).trim();
      if (/expires=Thu, 01 Jan 1970/i.test(cookie) || value === '') this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    return { status: res.status, url, headers: res.headers, body: await res.text() };
  }

  /** Follow redirects until a page answers or `stopAt(url)` matches the next location. */
  async follow(url: string, stopAt: (location: string) => boolean = () => false): Promise<PageResponse & { location?: string }> {
    let current = url;
    for (let hops = 0; hops < 10; hops += 1) {
      const res = await this.request(current);
      const location = res.headers.get('location');
      if (res.status < 300 || res.status >= 400 || !location) return res;
      const next = new URL(location, current).href;
      if (stopAt(next)) return { ...res, location: next };
      current = next;
    }
    throw new Error(`too many redirects from ${url}`);
  }

  /** Submit the page's first form with its hidden fields plus `fields`; returns the raw (unfollowed) answer. */
  async submit(page: PageResponse, fields: Record<string, string>): Promise<PageResponse & { location?: string }> {
    const form = /<form[^>]*action="([^"]*)"[^>]*>([\s\S]*?)<\/form>/.exec(page.body);
    if (!form) throw new Error(`no form on page ${page.url}: ${page.body.slice(0, 200)}`);
    const hidden: Record<string, string> = {};
    for (const m of form[2]!.matchAll(/<input[^>]*type="hidden"[^>]*>/g)) {
      const name = /name="([^"]*)"/.exec(m[0])?.[1];
      const value = /value="([^"]*)"/.exec(m[0])?.[1] ?? '';
      if (name) hidden[name] = decodeEntities(value);
    }
    const action = new URL(decodeEntities(form[1]!), page.url).href;
    const res = await this.request(action, { form: { ...hidden, ...fields } });
    const location = res.headers.get('location');
    return location ? { ...res, location: new URL(location, action).href } : res;
  }
}

function decodeEntities(s: string): string {
  return s
    .replace(/&#x([0-9a-f]+);/gi, (_, h: string) => String.fromCodePoint(parseInt(h, 16)))
    .replace(/&#(\d+);/g, (_, d: string) => String.fromCodePoint(Number(d)))
    .replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}
