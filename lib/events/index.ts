import 'server-only';
import type { EventHub } from './hub';
import { MemoryHub } from './memory-hub';

// One hub per process, on globalThis: Next.js bundles route handlers and server actions
// separately, and a module-level instance would be a different object in each.
const globalForHub = globalThis as typeof globalThis & { rosterHub?: EventHub };

export const hub: EventHub = (globalForHub.rosterHub ??= new MemoryHub());
