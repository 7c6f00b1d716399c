// A region's event sources, built in one place: schedules and storage triggers queue Event invocations
// through the region's durable queue (each tagged with its trace trigger), event source mappings invoke
// synchronously per batch and hand what they give up to the region's destinations.

import type { ArnScope } from "../core/arn-scope.js";
import type { QueuedInvocation } from "../core/types.js";
import type { Store } from "../store/store.js";
import type { RegionDestinations } from "./destinations/region-destinations.js";
import type { VajraMetrics } from "./metrics.js";
import type { InvokeOptions, InvokeOutcome } from "./platform-types.js";
import type { FaasTrigger } from "./tracing.js";
import type { EventSource } from "./triggers/event-source.js";
import { MappingSource } from "./triggers/mappings.js";
import { ScheduleSource } from "./triggers/schedules.js";
import { StorageTriggerSource } from "./triggers/storage.js";

type Commit = (item: QueuedInvocation) => Promise<boolean>;

export interface RegionSourcesDeps {
  name: string;
  store: Store;
  scope: ArnScope;
  dataDir: string;
  destinations: RegionDestinations;
  metrics: VajraMetrics | undefined;
  /** Queues an Event invocation written together with the source's own bookkeeping (`commit`). */
  enqueue: (
    name: string,
    payload: Buffer,
    qualifier: string | undefined,
    commit: Commit,
    trigger: FaasTrigger,
  ) => Promise<string | undefined>;
  invoke: (name: string, payload: Buffer, opts: InvokeOptions) => Promise<InvokeOutcome>;
  resolve: (name: string, qualifier?: string) => void;
  onWarning: (message: string) => void;
  onError: (err: unknown) => void;
}

export interface RegionSources {
  schedules: ScheduleSource;
  storage: StorageTriggerSource;
  mappings: MappingSource;
  all: EventSource[];
}

export function regionSources(d: RegionSourcesDeps): RegionSources {
  const asyncSource = (trigger: FaasTrigger) => ({
    store: d.store,
    scope: d.scope,
    sink: {
      invokeAsync: (fname: string, payload: Buffer, qualifier: string | undefined, commit: Commit) =>
        d.enqueue(fname, payload, qualifier, commit, trigger),
    },
    resolve: d.resolve,
    onWarning: d.onWarning,
    onError: d.onError,
  });
  const schedules = new ScheduleSource(asyncSource("timer"));
  const storage = new StorageTriggerSource({ ...asyncSource("datasource"), dataDir: d.dataDir });
  const mappings = new MappingSource({
    store: d.store,
    scope: d.scope,
    invoke: (fname, qualifier, payload) =>
      d.invoke(fname, payload, { trigger: "pubsub", ...(qualifier === undefined ? {} : { qualifier }) }),
    resolve: d.resolve,
    onWarning: d.onWarning,
    destinations: d.destinations,
    onBatch: (m, n, age) => d.metrics?.eventSourceBatch(d.name, m.functionName, m.kind, n, age),
  });
  return { schedules, storage, mappings, all: [schedules, mappings, storage] };
}
