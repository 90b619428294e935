/**
 * Keeping secrets out of messages: a value under a key that looks like a secret is never
 * echoed (a misspelt `apikey: sk-…` must not print the key), and credentials in a URL
 * (`http://user:pass@host`) are masked wherever a message quotes text the user wrote.
 */

/** The words of key names that hold secrets (whole words: max_tokens is no secret, access_token is). */
const SECRET_WORD = '(?:api[_-]?key|apikey|token|secret|passw(?:or)?d|passphrase|credentials?|auth|authorization|bearer)';
/** apikey, api_key, openai-api-key, token, access_token, client_secret, password, passwd, credentials, auth. */
const SECRET_KEY = new RegExp(`(?:^|[_-])${SECRET_WORD}(?:$|[_-])`, 'i');

/** `api_key_env` names a variable, it holds no secret: its value is worth showing. */
export function looksSecretKey(name: string): boolean {
  return name !== 'api_key_env' && SECRET_KEY.test(name);
}

/** `scheme://user:pass@` → `scheme://***@`. */
const USERINFO = /\b([a-z][a-z0-9+.-]*:\/\/)[^\s/@?#]+@/gi;

/** `apikey: sk-…`, `token=…`, `"password": "…"` → the value masked. */
const SECRET_ASSIGNMENT = new RegExp(`((?:^|[^A-Za-z0-9])(?:[A-Za-z0-9]+[_-])*${SECRET_WORD}(?:[_-][A-Za-z0-9]+)*["']?\\s*[:=]\\s*)("[^"]*"|'[^']*'|[^\\s,}\\]]+)`, 'gi');

/** Text the user wrote, with credentials in URLs and values of secret-looking keys masked. */
export function maskSecrets(text: string): string {
  return text.replace(USERINFO, '$1***@').replace(SECRET_ASSIGNMENT, '$1***');
}

/** Whether a URL carries a user name or password before its host. */
export function hasUserinfo(url: string): boolean {
  try {
    const u = new URL(url);
    return u.username !== '' || u.password !== '';
  } catch {
    return /^[a-z][a-z0-9+.-]*:\/\/[^/?#]*@/i.test(url);
  }
}
