// The signed-in key lives in sessionStorage only: it dies with the tab, is never put in a URL or a
// cookie, and signing out removes it. A key issued for an access key pair sign-in also has its id
// kept, so signing out can delete that key on the server (a typed key is the user's own: kept there).

const KEY = "vajra.console.apiKey";
const SESSION_KEY_ID = "vajra.console.sessionKeyId";

export interface KeyStore {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

export function loadKey(store: KeyStore): string | undefined {
  const v = store.getItem(KEY);
  return v === null || v === "" ? undefined : v;
}

export function saveKey(store: KeyStore, key: string, sessionKeyId?: string): void {
  store.setItem(KEY, key);
  if (sessionKeyId === undefined) store.removeItem(SESSION_KEY_ID);
  else store.setItem(SESSION_KEY_ID, sessionKeyId);
}

/** The id of the API key a key-pair sign-in was issued, to delete at sign-out; undefined for a typed key. */
export function loadSessionKeyId(store: KeyStore): string | undefined {
  const v = store.getItem(SESSION_KEY_ID);
  return v === null || v === "" ? undefined : v;
}

export function forgetKey(store: KeyStore): void {
  store.removeItem(KEY);
  store.removeItem(SESSION_KEY_ID);
}

/** What is wrong with a typed key before it is sent, or undefined. */
export function checkKeyInput(text: string): string | undefined {
  const key = text.trim();
  if (key === "")
    return "Enter an API key (the admin key is in the server's data directory, file admin-key).";
  if (/\s/.test(key)) return "An API key has no spaces: paste it as one word.";
  return undefined;
}
