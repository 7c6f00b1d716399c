// Imported once by a pre-initialised sandbox before it waits, so that the ES module loader has loaded a
// file before the function's handler is the first. It holds nothing.
export const warm = true;
