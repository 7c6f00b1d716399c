// Code upload from the browser: a zip checked against the direct-upload limit before it is read, and
// its bytes as the base64 `zipFile` of POST /functions.

/** Lambda's limit for a zip uploaded directly (the server's MAX_ZIPPED_BYTES). */
export const MAX_ZIP_BYTES = 50 * 1024 * 1024;

export function checkZip(file: { name: string; size: number }): string | undefined {
  if (!/\.zip$/i.test(file.name))
    return `${file.name} is not a .zip file: upload the function's code as a zip.`;
  if (file.size === 0) return `${file.name} is empty.`;
  if (file.size > MAX_ZIP_BYTES)
    return `${file.name} is ${(file.size / 1048576).toFixed(1)} MB, over the 50 MB limit of a direct upload.`;
  return undefined;
}

/** Base64 of bytes, in slices so a large zip does not overflow the call stack. */
export function toBase64(bytes: Uint8Array): string {
  let bin = "";
  for (let i = 0; i < bytes.length; i += 0x8000)
    bin += String.fromCharCode(...bytes.subarray(i, Math.min(i + 0x8000, bytes.length)));
  return btoa(bin);
}
