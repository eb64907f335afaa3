import { type CanonicalEvent, ENTITY_TYPES, type EntityData, type EntityType, type PatchEvent } from '@flash/core';

/** A small seeded PRNG (mulberry32): the same seed gives the same workload on every machine. */
export const seededRandom = (seed: number): (() => number) => {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
};

export interface WorkloadOptions {
  /** Events delivered, duplicates included. */
  events: number;
  seed: number;
  /** Share of deliveries that are redeliveries of an earlier event. */
  duplicateRate?: number;
  /** Share of events delivered late, after events that happened after them. */
  lateRate?: number;
}

export interface Workload {
  /** In delivery order. */
  events: CanonicalEvent[];
  duplicates: number;
  late: number;
  byEntity: Record<EntityType, number>;
}

const DAY = 86_400_000;
const OWNERS = ['U1', 'U2', 'U3', 'U4'];
/** The channels customers come from and marketing spend goes to. */
const CHANNELS = ['ads', 'events', 'partner'];
const START = Date.parse('2026-01-01T08:00:00Z');
const END = Date.parse('2026-11-28T18:00:00Z');

interface Timed {
  at: number;
  event: CanonicalEvent;
}

/**
 * Entity lifecycles of a small company over a year, as its tools would report them: customers, projects
 * that close, invoices drafted then issued (some voided, some credited), costs booked on projects (some
 * edited or deleted), deals moving through stages to won or lost (half as Pipedrive snapshots, half as
 * HubSpot property patches), NPS answers, some edited, activities, and marketing spend per channel (some
 * corrected, some deleted). Amounts are in minor units.
 */
class Company {
  private readonly timeline: Timed[] = [];
  private readonly customers: string[] = [];
  private readonly projects: string[] = [];
  private nextId = 0;

  constructor(private readonly random: () => number) {}

  events(): Timed[] {
    return this.timeline.sort((a, b) => a.at - b.at);
  }

  get size(): number {
    return this.timeline.length;
  }

  /** Adds one entity's whole lifecycle, of a kind drawn with realistic weights. */
  addLifecycle(): void {
    // The stages deals move through, as a backfill learns them from the CRM's API, once.
    if (this.customers.length === 0) this.stages();
    const r = this.random();
    if (this.customers.length < 5 || r < 0.04) this.customer();
    else if (this.projects.length < 5 || r < 0.09) this.project();
    else if (r < 0.37) this.invoice();
    else if (r < 0.57) this.cost();
    else if (r < 0.71) this.deal();
    else if (r < 0.92) this.surveyResponse();
    else if (r < 0.97) this.activity();
    else this.spend();
  }

  private pick<T>(values: readonly T[]): T {
    return values[Math.floor(this.random() * values.length)] as T;
  }

  private chance(p: number): boolean {
    return this.random() < p;
  }

  private id(prefix: string): string {
    return `${prefix}${(this.nextId++).toString(36)}`;
  }

  private when(after = START): number {
    return Math.floor(after + this.random() * (END - after));
  }

  private later(at: number, maxDays: number): number {
    return Math.min(END, at + Math.floor(1 + this.random() * maxDays * DAY));
  }

  private money(min: number, max: number): number {
    return Math.round(min + this.random() * (max - min)) * 100;
  }

  private currency(): string {
    return this.chance(0.85) ? 'EUR' : 'USD';
  }

  private snapshot<T extends EntityType>(
    entity: T,
    source: string,
    id: string,
    at: number,
    data: EntityData[T],
    deleted = false,
  ): void {
    const event = {
      entity,
      source,
      id,
      mode: 'snapshot',
      version: [at],
      deleted,
      occurredAt: new Date(at).toISOString(),
      data,
    } as CanonicalEvent;
    this.timeline.push({ at, event });
  }

  private patch(id: string, at: number, changes: PatchEvent<'deal'>['changes']): void {
    const event: PatchEvent<'deal'> = {
      entity: 'deal',
      source: 'hubspot',
      id,
      mode: 'patch',
      at,
      occurredAt: new Date(at).toISOString(),
      changes,
    };
    this.timeline.push({ at, event });
  }

  private customer(): void {
    const id = this.id('C');
    this.customers.push(id);
    const at = this.when();
    const data: EntityData['customer'] = {
      name: `Customer ${id}`,
      internal: this.chance(0.03),
      segment: this.pick(['smb', 'mid']),
      channel: this.pick(CHANNELS),
      ownerId: this.pick(OWNERS),
    };
    this.snapshot('customer', 'generic', id, at, data);
    if (this.chance(0.2))
      this.snapshot('customer', 'generic', id, this.later(at, 60), { ...data, segment: 'enterprise' });
  }

  private project(): void {
    const id = this.id('P');
    this.projects.push(id);
    const at = this.when();
    const data = { customerId: this.pick(this.customers), status: 'open' as const, internal: this.chance(0.05) };
    this.snapshot('project', 'generic', id, at, data);
    if (this.chance(0.5)) this.snapshot('project', 'generic', id, this.later(at, 120), { ...data, status: 'closed' });
  }

  private invoice(): void {
    const id = this.id('in_');
    const drafted = this.when();
    const issued = this.later(drafted, 3);
    const data: EntityData['invoice'] = {
      customerId: this.pick(this.customers),
      projectId: this.chance(0.5) ? this.pick(this.projects) : null,
      number: `F-${id}`,
      status: 'draft',
      invoiceDate: new Date(issued).toISOString().slice(0, 10),
      total: this.money(100, 20_000),
      currency: this.currency(),
    };
    this.snapshot('invoice', 'stripe', id, drafted, data);
    this.snapshot('invoice', 'stripe', id, issued, { ...data, status: 'issued' });
    const fate = this.random();
    if (fate < 0.08) this.snapshot('invoice', 'stripe', id, this.later(issued, 20), { ...data, status: 'void' });
    else if (fate < 0.16) this.creditNote(id, data, issued);
  }

  private creditNote(invoiceId: string, invoice: EntityData['invoice'], issued: number): void {
    const id = this.id('cn_');
    const at = this.later(issued, 30);
    const data: EntityData['credit_note'] = {
      customerId: invoice.customerId,
      invoiceId,
      status: 'issued',
      date: new Date(at).toISOString().slice(0, 10),
      total: Math.round(invoice.total * (0.1 + 0.9 * this.random())),
      currency: invoice.currency,
    };
    this.snapshot('credit_note', 'stripe', id, at, data);
    if (this.chance(0.1)) this.snapshot('credit_note', 'stripe', id, this.later(at, 5), { ...data, status: 'void' });
  }

  private cost(): void {
    const id = this.id('K');
    const at = this.when();
    const data = {
      projectId: this.pick(this.projects),
      date: new Date(at).toISOString().slice(0, 10),
      amount: this.money(50, 8_000),
      currency: this.currency(),
    };
    this.snapshot('cost', 'generic', id, at, data);
    const edited = this.later(at, 10);
    if (this.chance(0.15)) this.snapshot('cost', 'generic', id, edited, { ...data, amount: this.money(50, 8_000) });
    if (this.chance(0.05)) this.snapshot('cost', 'generic', id, this.later(edited, 10), data, true);
  }

  /** Stages to a close: 35% won, 45% lost, the rest still open. */
  private deal(): void {
    const id = this.id('D');
    const created = this.when();
    const base: EntityData['deal'] = {
      title: `Deal ${id}`,
      customerId: this.pick(this.customers),
      ownerId: this.pick(OWNERS),
      status: 'open',
      stage: 'appointment',
      amount: this.money(1_000, 60_000),
      currency: this.currency(),
      createdAt: new Date(created).toISOString(),
      closedAt: null,
      expectedCloseDate: null,
      source: this.pick(['inbound', 'outbound', 'referral']),
      lostReason: null,
    };
    const stages = ['qualified', 'proposal', 'negotiation'].slice(0, 1 + Math.floor(this.random() * 3));
    const outcome = this.random();
    const status = outcome < 0.35 ? 'won' : outcome < 0.8 ? 'lost' : 'open';
    const patched = this.chance(0.5);
    let at = created;
    if (patched) this.patch(id, at, base);
    else this.snapshot('deal', 'pipedrive', id, at, base);
    let state = base;
    for (const stage of stages) {
      at = this.later(at, 15);
      state = { ...state, stage };
      if (patched) this.patch(id, at, { stage });
      else this.snapshot('deal', 'pipedrive', id, at, state);
    }
    if (status === 'open') return;
    at = this.later(at, 20);
    const close = {
      status,
      stage: status,
      closedAt: new Date(at).toISOString(),
      lostReason: status === 'lost' ? 'price' : null,
    } as const;
    if (patched) this.patch(id, at, close);
    else this.snapshot('deal', 'pipedrive', id, at, { ...state, ...close });
  }

  private surveyResponse(): void {
    const id = this.id('R');
    const at = this.when();
    // A B2B NPS spread: about half promoters, a fifth detractors.
    const score = this.pick([0, 2, 4, 5, 6, 6, 7, 7, 8, 8, 9, 9, 9, 10, 10, 10, 10, 10, 9, 10]);
    const data: EntityData['survey_response'] = {
      score,
      submittedAt: new Date(at).toISOString(),
      customerId: this.chance(0.7) ? this.pick(this.customers) : null,
      comment: score <= 6 ? 'Support took too long to answer.' : null,
      email: `${id}@example.com`,
      segment: null,
      channel: 'email',
    };
    this.snapshot('survey_response', 'typeform', id, at, data);
    if (this.chance(0.1))
      this.snapshot('survey_response', 'typeform', id, this.later(at, 1), { ...data, score: Math.min(10, score + 2) });
  }

  /** Marketing spend on a channel (an ad invoice, an event), sometimes corrected later, sometimes deleted. */
  private spend(): void {
    const id = this.id('S');
    const at = this.when();
    const data: EntityData['spend'] = {
      date: new Date(at).toISOString().slice(0, 10),
      amount: this.money(200, 8_000),
      currency: this.currency(),
      channel: this.chance(0.9) ? this.pick(CHANNELS) : null,
      campaign: this.chance(0.3) ? 'spring' : null,
    };
    this.snapshot('spend', 'generic', id, at, data);
    if (this.chance(0.1)) this.snapshot('spend', 'generic', id, this.later(at, 10), data, true);
    else if (this.chance(0.2))
      this.snapshot('spend', 'generic', id, this.later(at, 10), { ...data, amount: this.money(200, 8_000) });
  }

  /** A meeting, call or task planned for a customer, usually done on its day, sometimes deleted. */
  private stages(): void {
    const at = this.when();
    for (const stage of ['appointment', 'proposal', 'won', 'lost'])
      this.snapshot('stage', 'pipedrive', stage, at, { label: `Stage ${stage}`, pipelineId: '1' });
  }

  private activity(): void {
    const id = this.id('A');
    const at = this.when();
    const due = this.later(at, 14);
    const data: EntityData['activity'] = {
      kind: this.pick(['meeting', 'meeting', 'call', 'task'] as const),
      ownerId: this.pick(OWNERS),
      customerId: this.pick(this.customers),
      dealId: null,
      dueAt: new Date(due).toISOString(),
      doneAt: null,
      subject: 'Follow-up',
    };
    this.snapshot('activity', 'pipedrive', id, at, data);
    if (this.chance(0.1)) this.snapshot('activity', 'pipedrive', id, this.later(at, 1), data, true);
    else if (this.chance(0.8))
      this.snapshot('activity', 'pipedrive', id, due, { ...data, doneAt: new Date(due).toISOString() });
  }
}

/**
 * A seeded, realistic delivery of `events` canonical events: entity histories in the order they happened,
 * then about `lateRate` of them delivered late (up to a few hundred deliveries after their turn, so often
 * after a newer version of their entity) and `duplicateRate` redeliveries of earlier events.
 */
export const generateWorkload = ({ events, seed, duplicateRate = 0.1, lateRate = 0.1 }: WorkloadOptions): Workload => {
  const random = seededRandom(seed);
  const duplicates = Math.round(events * duplicateRate);
  const unique = events - duplicates;
  const company = new Company(random);
  while (company.size < unique) company.addLifecycle();
  // Cutting at `unique` drops only the last few changes of the year.
  const history = company.events().slice(0, unique);

  // Each delivery gets a position; sorting by it gives the delivery order.
  const deliveries: { position: number; event: CanonicalEvent }[] = history.map((h, i) => ({
    position: i,
    event: h.event,
  }));
  const late = Math.round(events * lateRate);
  // A partial Fisher-Yates shuffle picks `late` distinct deliveries.
  const order = deliveries.slice();
  for (let n = 0; n < late; n++) {
    const j = n + Math.floor(random() * (unique - n));
    [order[n], order[j]] = [order[j] as (typeof order)[number], order[n] as (typeof order)[number]];
    (order[n] as (typeof order)[number]).position += 1 + random() * 300;
  }
  for (let n = 0; n < duplicates; n++) {
    const i = Math.floor(random() * unique);
    const original = history[i] as Timed;
    deliveries.push({ position: i + 1 + random() * 500, event: original.event });
  }
  deliveries.sort((a, b) => a.position - b.position);

  const byEntity = Object.fromEntries(ENTITY_TYPES.map((t) => [t, 0])) as Record<EntityType, number>;
  for (const d of deliveries) byEntity[d.event.entity]++;
  return { events: deliveries.map((d) => d.event), duplicates, late, byEntity };
};
