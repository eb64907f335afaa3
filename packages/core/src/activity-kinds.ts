/**
 * The kinds of activity CRMs plan and log (contract section 8). Apart from events.ts, whose module-level zod
 * schemas the query function must not bundle.
 */
export const ACTIVITY_KINDS = ['meeting', 'call', 'email', 'task'] as const;
export type ActivityKind = (typeof ACTIVITY_KINDS)[number];
