// Free text that other people's screens show (a display name, a device name,
// a user agent in the session list) must not carry characters that change
// how the text around it reads: bidirectional overrides and isolates can make
// "evil.example" display as "elpmaxe.live" (CVE-2021-42574, "Trojan Source";
// Unicode TR#36 §2.1), and C0/C1 controls can forge line breaks in logs and
// mails. They are removed before storage, so every reader gets clean text.

// C0 controls, DEL and C1 controls; LRM/RLM (U+200E/F); the embeddings and
// overrides U+202A–U+202E; the isolates U+2066–U+2069.
// eslint-disable-next-line no-control-regex -- matching controls is the point
const INVISIBLE = /[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

export function stripInvisible(text: string): string {
  return text.replace(INVISIBLE, '');
}

/** stripInvisible for an optional value; text that is nothing once stripped becomes null. */
export function cleanDisplayText(text: string | null | undefined): string | null {
  if (text === null || text === undefined) return null;
  const cleaned = stripInvisible(text).trim();
  return cleaned === '' ? null : cleaned;
}

/**
 * A header value as text. Node hands header bytes over as latin1 (RFC 9110
 * §5.5 leaves anything beyond ASCII opaque), but clients send UTF-8 device
 * names; read the bytes as UTF-8 when they are valid UTF-8, so that a bidi
 * override sent as its UTF-8 bytes is recognised (and removed) as one.
 */
export function headerText(value: string): string {
  const bytes = Buffer.from(value, 'latin1');
  const utf8 = new TextDecoder('utf-8', { fatal: false }).decode(bytes);
  return utf8.includes('\ufffd') ? value : utf8;
}
