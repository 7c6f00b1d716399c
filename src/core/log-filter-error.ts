// The error of an unreadable log filter pattern (its message names what is wrong).

export class FilterPatternError extends Error {}
