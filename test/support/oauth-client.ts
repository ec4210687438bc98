// Token endpoint requests as an OAuth client sends them (client_secret_basic).
export async function tokenRequest(
  server: { issuer: string },
  client: { client_id: string; client_secret?: string },
  form: Record<string, string>,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded' };
  const body = new URLSearchParams(form);
  if (client.client_secret !== undefined) {
    // RFC 6749 §2.3.1: both parts form-urlencoded before Basic.
    const credentials = `${encodeURIComponent(client.client_id)}:${encodeURIComponent(client.client_secret)}`;
    headers.authorization = `Basic ${Buffer.from(credentials).toString('base64')}`;
  } else {
    body.set('client_id', client.client_id);
  }
  const res = await fetch(`${server.issuer}/token`, { method: 'POST', headers, body });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

/** client_credentials with this secret: the status (200 when the secret authenticates). */
export async function clientCredentialsStatus(server: { issuer: string }, clientId: string, secret: string): Promise<number> {
  return (await tokenRequest(server, { client_id: clientId, client_secret: secret }, { grant_type: 'client_credentials' })).status;
}
