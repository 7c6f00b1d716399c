// The signed-in key lives in sessionStorage only: it dies with the tab, is never put in a URL or a
// cookie, and signing out removes it.

const KEY = "vajra.console.apiKey";

export interface KeyStore {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

export function loadKey(store: KeyStore): string | undefined {
  const v = store.getItem(KEY);
  return v === null || v === "" ? undefined : v;
}

export function saveKey(store: KeyStore, key: string): void {
  store.setItem(KEY, key);
}

export function forgetKey(store: KeyStore): void {
  store.removeItem(KEY);
}

/** What is wrong with a typed key before it is sent, or undefined. */
export function checkKeyInput(text: string): string | undefined {
  const key = text.trim();
  if (key === "")
    return "Enter an API key (the admin key is in the server's data directory, file admin-key).";
  if (/\s/.test(key)) return "An API key has no spaces: paste it as one word.";
  return undefined;
}
