import { createHash } from 'node:crypto';
import { CfnElement, type IAspect, Names, Stack } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

/**
 * CDK's unique id of a path (`makeUniqueId` in aws-cdk-lib's core, not exported): the path's components
 * without `Default`, then the components (duplicates and `Resource` left out, alphanumerics only) followed by
 * the first 8 hex digits of the MD5 of the components joined by `/`. A single component is its own id.
 */
export const uniqueIdOf = (path: readonly string[]): string => {
  const components = path.filter((c) => c !== 'Default');
  const alphanumeric = (s: string) => s.replace(/[^A-Za-z0-9]/g, '');
  if (components.length === 1) {
    const only = alphanumeric(components[0] as string);
    if (only.length <= 255) return only;
  }
  const hash = createHash('md5').update(components.join('/')).digest('hex').slice(0, 8).toUpperCase();
  const human: string[] = [];
  for (const c of components) if (human.length === 0 || !human[human.length - 1]?.endsWith(c)) human.push(c);
  return (
    human
      .filter((c) => c !== 'Resource')
      .map(alphanumeric)
      .join('')
      .slice(0, 240) + hash
  );
};

/**
 * Gives every CloudFormation element under `groups` the logical id it would have if those grouping constructs
 * were not in its path, so that splitting a construct into parts changes no logical id: an update deploys in
 * place instead of replacing the API (a new URL), the queues (their messages) or the topic (its confirmed
 * subscriptions). Construct ids that embed another construct's unique id or path (event source mappings,
 * Lambda permissions, API mappings) get it as it would be without the groups, too. Two elements that would end
 * up with the same id fail synthesis.
 */
export class FlatLogicalIds implements IAspect {
  private readonly groups: ReadonlySet<IConstruct>;
  /** Names.nodeUniqueId of every construct under a group → the same id without the groups. */
  private renames: Map<string, string> | undefined;
  private readonly assigned = new Map<string, string>();

  constructor(
    private readonly root: IConstruct,
    groups: readonly IConstruct[],
  ) {
    this.groups = new Set(groups);
  }

  visit(node: IConstruct): void {
    if (!CfnElement.isCfnElement(node) || !node.node.scopes.some((s) => this.groups.has(s))) return;
    const scopes = node.node.scopes;
    const path = this.flatIds(scopes.slice(scopes.indexOf(Stack.of(node)) + 1));
    const logicalId = uniqueIdOf(path);
    const holder = this.assigned.get(logicalId);
    if (holder !== undefined && holder !== node.node.path)
      throw new Error(`${node.node.path} and ${holder} would both have the logical id ${logicalId}`);
    this.assigned.set(logicalId, node.node.path);
    node.overrideLogicalId(logicalId);
  }

  /** The ids of `scopes` without the groups, with embedded unique ids rewritten the same way. */
  private flatIds(scopes: readonly IConstruct[]): string[] {
    const renames = this.renamesOf();
    return scopes
      .filter((s) => !this.groups.has(s))
      .map((s) => {
        let id = s.node.id;
        for (const [grouped, flat] of renames) if (id.includes(grouped)) id = id.replace(grouped, flat);
        return id;
      });
  }

  private renamesOf(): Map<string, string> {
    if (this.renames) return this.renames;
    this.renames = new Map();
    // A construct's path in an id, as some L2s write it (`a/b` becomes `a--b`): without the group's segment.
    for (const group of this.groups) {
      const path = (c: IConstruct) => `${c.node.path.replaceAll('/', '--')}--`;
      if (group.node.scope) this.renames.set(path(group), path(group.node.scope));
    }
    for (const c of this.root.node.findAll()) {
      if (this.groups.has(c) || !c.node.scopes.some((s) => this.groups.has(s))) continue;
      const flat = c.node.scopes
        .slice(1)
        .filter((s) => !this.groups.has(s))
        .map((s) => s.node.id);
      this.renames.set(Names.nodeUniqueId(c.node), uniqueIdOf(flat));
    }
    return this.renames;
  }
}
