// The log events part of the Store: invocation logs cut into events (core/log-events.ts), indexed by
// function, version, stream, time and request id with full-text search, plus per-function retention and
// the size accounting the background trimmer needs. Events are written with the invocation records
// (Store.insertInvocations), in the same transaction.

import type { LogEvent } from "../core/log-events.js";

export interface LogQuery {
  functionName: string;
  version?: string;
  /** Exact stream names (any of). */
  streams?: string[];
  streamPrefix?: string;
  /** Inclusive bounds, epoch ms. */
  start?: number;
  end?: number;
  requestId?: string;
  errorsOnly?: boolean;
  /** Substrings every event must contain (case-insensitive pre-filter; callers re-check exactly). */
  contains?: string[];
  /** Keyset cursor: events strictly after (ascending) or before (descending) this (timestamp, id). */
  after?: { timestamp: number; id: number };
  descending?: boolean;
  limit: number;
}

export interface LogStreamInfo {
  name: string;
  firstEventTime: number;
  lastEventTime: number;
  storedBytes: number;
}

export interface LogGroupInfo {
  region: string;
  functionName: string;
  /** Days events are kept; null = never expire (DeleteRetentionPolicy); undefined = the default. */
  retentionDays: number | null | undefined;
  storedBytes: number;
  createdAt: number;
}

export interface LogStore {
  /** Inserts events as they are (tests use this to make old events). */
  insertEvents(events: readonly LogEvent[]): Promise<void>;
  queryEvents(q: LogQuery): Promise<LogEvent[]>;
  /** The region's log groups (functions that have or had events, or a retention setting). */
  listGroups(): Promise<LogGroupInfo[]>;
  listStreams(functionName: string): Promise<LogStreamInfo[]>;
  /** Sets a function's retention (null = never expire; undefined = back to the default). */
  setRetention(functionName: string, days: number | null | undefined): Promise<void>;
  /**
   * Deletes up to `batch` events (all regions) older than their group's retention (`defaultDays` for
   * groups without a setting) as of `now`; resolves how many went.
   */
  deleteExpired(now: number, defaultDays: number, batch: number): Promise<number>;
  /** Bytes of all stored events, all regions (message bytes plus 26 per event, as AWS counts). */
  totalBytes(): Promise<number>;
  /** Deletes the `batch` oldest events of the whole store; resolves how many went. */
  deleteOldest(batch: number): Promise<number>;
}
