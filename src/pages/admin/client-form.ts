// The client form of the admin console: a few fields a person fills in,
// turned into RFC 7591 metadata for the client admin service, and the
// service's refusals tied back to the field they are about.
import type { FormFields } from '../form-body.ts';
import type { ClientRecord } from '../../storage/ports.ts';

export const GRANTS = ['authorization_code', 'refresh_token', 'client_credentials'] as const;

export interface ClientFormValues {
  client_name: string;
  redirect_uris: string;
  grants: string[];
  type: 'confidential' | 'public';
  /** Only sessions that used a second factor (client metadata `require_mfa`, README "MFA"). */
  requireMfa: boolean;
}

/** The form's fields (each grant is its own checkbox: the form parser keeps one value per name). */
export function valuesOf(form: FormFields): ClientFormValues {
  return {
    client_name: (form.client_name ?? '').trim(),
    redirect_uris: form.redirect_uris ?? '',
    grants: GRANTS.filter((grant) => form[`grant_${grant}`] === 'yes'),
    type: form.type === 'public' ? 'public' : 'confidential',
    requireMfa: form.require_mfa === 'yes',
  };
}

export function valuesOfClient(client: ClientRecord): ClientFormValues {
  const m = client.metadata;
  const list = (v: unknown) => (Array.isArray(v) ? v.map(String) : []);
  return {
    client_name: typeof m.client_name === 'string' ? m.client_name : '',
    redirect_uris: list(m.redirect_uris).join('\n'),
    grants: list(m.grant_types ?? ['authorization_code']),
    type: m.token_endpoint_auth_method === 'none' ? 'public' : 'confidential',
    requireMfa: m.require_mfa === true,
  };
}

/** Field errors the form itself finds before the service is asked. */
export function checkValues(values: ClientFormValues): Record<string, string> {
  const errors: Record<string, string> = {};
  if (values.client_name === '') errors.client_name = 'Enter a name people will see on the consent page.';
  else if (values.client_name.length > 200) errors.client_name = 'The name must be at most 200 characters long.';
  if (values.grants.length === 0) errors.grant_types = 'Choose at least one grant type.';
  if (values.grants.includes('client_credentials') && values.type === 'public') errors.grant_types = 'Client credentials need a confidential client.';
  return errors;
}

/** The metadata the form stands for; `withType` on creation only (an existing client keeps its method). */
export function metadataOf(values: ClientFormValues, withType: boolean): Record<string, unknown> {
  const redirecting = values.grants.includes('authorization_code');
  const uris = values.redirect_uris.split(/\s+/).map((u) => u.trim()).filter((u) => u !== '');
  return {
    client_name: values.client_name,
    grant_types: values.grants,
    redirect_uris: redirecting ? uris : [],
    response_types: redirecting ? ['code'] : [],
    // Always sent: an unticked box on the edit form turns the policy off.
    require_mfa: values.requireMfa,
    ...(withType && { token_endpoint_auth_method: values.type === 'public' ? 'none' : 'client_secret_basic' }),
  };
}

/** Which field an INVALID_CLIENT_METADATA message is about, by the metadata it names. */
export function fieldOfMessage(message: string): string | undefined {
  if (/redirect_uri/.test(message)) return 'redirect_uris';
  if (/grant_type|response_type/.test(message)) return 'grant_types';
  if (/client_name/.test(message)) return 'client_name';
  if (/token_endpoint_auth_method|secret/.test(message)) return 'type';
  return undefined;
}
