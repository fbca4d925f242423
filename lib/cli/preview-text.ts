import type { FieldChange } from '../preview/field-diff';
import type { Preview } from '../preview/preview';
import type { PreviewWrite } from '../preview/preview-pass';
import type { Styler } from './terminal';

/** `plan`'s human output: the template diff, the user data diff, the roll and its impact, the steps. */

function value(v: unknown): string {
  return typeof v === 'string' ? JSON.stringify(v) : JSON.stringify(v ?? null);
}

function changeLine(change: FieldChange, style: Styler): string {
  if (change.kind === 'added') return style.green(`  + ${change.path}: ${value(change.after)}`);
  if (change.kind === 'removed') return style.red(`  - ${change.path}: ${value(change.before)}`);
  return style.yellow(`  ~ ${change.path}: ${value(change.before)} → ${value(change.after)}`);
}

function diffLine(line: string, style: Styler): string {
  if (line.startsWith('@@')) return style.cyan(line);
  if (line.startsWith('+')) return style.green(line);
  if (line.startsWith('-')) return style.red(line);
  return line;
}

export function describeWrite(write: PreviewWrite): string {
  switch (write.kind) {
    case 'CreateLaunchTemplate':
      return `create launch template ${write.name} (version 1)`;
    case 'CreateLaunchTemplateVersion':
      return `create launch template version ${write.version}`;
    case 'DeleteLaunchTemplateVersions':
      return `delete old launch template versions ${write.versions.join(', ')}`;
    case 'DeleteLaunchTemplate':
      return 'delete the launch template';
    case 'CreateNodegroup':
      return `create node group ${write.nodegroupName} on version ${write.launchTemplateVersion} with ${write.desiredSize} node${write.desiredSize === 1 ? '' : 's'}`;
    case 'UpdateNodegroupVersion':
      return `roll node group ${write.nodegroupName} to launch template version ${write.launchTemplateVersion} (UpdateNodegroupVersion${write.force ? ', force' : ''})`;
    case 'UpdateNodegroupConfig':
      return `update node group ${write.nodegroupName} config: ${Object.keys(write.changes).join(', ')} (UpdateNodegroupConfig)`;
    case 'TagNodegroup':
      return `tag the node group with ${Object.keys(write.tags).join(', ')}`;
    case 'DeleteNodegroup':
      return `delete node group ${write.nodegroupName}`;
    case 'TagAutoScalingGroup':
      return `${write.change} Cluster Autoscaler tags ${write.change === 'remove' ? 'from' : 'on'} Auto Scaling group ${write.autoScalingGroupName}: ${write.keys.join(', ')}`;
  }
}

/** The reconciler's writes in order, then the config update a later pass makes. */
export function stepLines(preview: Preview): string[] {
  const lines = preview.writes.map((write, index) => `  ${index + 1}. ${describeWrite(write)}`);
  const changes = preview.nodegroup.configChanges;
  if (preview.nodegroup.configAfterRoll && changes) {
    lines.push(
      `  then: update node group ${preview.nodegroup.name} config: ${Object.keys(changes).join(', ')} (UpdateNodegroupConfig, once the update in flight ends)`,
    );
  }
  return lines;
}

function configLines(preview: Preview): string[] {
  const changes = preview.nodegroup.configChanges;
  if (!changes) return [];
  const lines: string[] = [];
  if (changes.labels) {
    for (const [k, v] of Object.entries(changes.labels.addOrUpdate)) lines.push(`  ~ label ${k}=${v}`);
    for (const k of changes.labels.remove) lines.push(`  - label ${k}`);
  }
  if (changes.taints) {
    for (const t of changes.taints.addOrUpdate)
      lines.push(`  ~ taint ${t.key}${t.value ? `=${t.value}` : ''}:${t.effect}`);
    for (const t of changes.taints.remove) lines.push(`  - taint ${t.key}:${t.effect}`);
  }
  if (changes.scaling) {
    lines.push(
      `  ~ scaling min ${changes.scaling.minSize}, max ${changes.scaling.maxSize}, desired ${changes.scaling.desiredSize}`,
    );
  }
  if (changes.updateConfig) lines.push(`  ~ updateConfig ${JSON.stringify(changes.updateConfig)}`);
  return lines;
}

export function previewText(preview: Preview, source: string, style: Styler): string {
  const out: string[] = [];
  out.push(`${style.bold(`Pool ${preview.poolId}`)} (${source})`);
  if (preview.problems.length > 0) {
    out.push('', style.red('The reconciler would stop here:'));
    for (const c of preview.problems) out.push(`  ${style.red(c.type)} ${c.reason}: ${c.message}`);
    out.push('', 'Nothing would change in AWS until these are fixed. Nothing was written.');
    return `${out.join('\n')}\n`;
  }
  const lt = preview.launchTemplate;
  out.push('');
  const ltName = lt.name ? `${lt.name}${lt.id ? ` (${lt.id})` : ''}` : 'the launch template';
  if (!lt.exists) out.push(`Launch template ${ltName}: ${style.green('created')}`);
  else out.push(`Launch template ${ltName}: node group pinned to version ${lt.pinnedVersion ?? '-'}`);
  out.push(
    `  new version: ${lt.newVersion ? style.yellow(`yes (version ${lt.targetVersion ?? '?'})`) : 'no'}`,
  );
  if (lt.changes.length === 0 && lt.userData.every((p) => p.status === 'unchanged')) {
    out.push('  no field changes');
  } else {
    for (const change of lt.changes) out.push(changeLine(change, style));
    if (lt.userData.some((p) => p.status !== 'unchanged')) {
      const { before, after } = lt.userDataBytes;
      out.push(style.yellow(`  ~ UserData: ${before ?? 0} → ${after ?? 0} bytes (decoded and diffed below)`));
    }
  }
  for (const part of lt.userData) {
    const title = `User data, ${part.label === 'shell' ? 'shell part' : part.label} (${part.contentType.split(';')[0]})`;
    if (part.status === 'unchanged') {
      out.push('', `${title}: unchanged`);
      continue;
    }
    out.push('', `${title}: ${part.status}, +${part.diff.added} -${part.diff.removed} lines`);
    for (const hunk of part.diff.hunks) out.push(...hunk.split('\n').map((line) => diffLine(line, style)));
  }
  const ng = preview.nodegroup;
  out.push('');
  if (ng.exists) {
    out.push(`Node group ${ng.name}: ${ng.status}, ${ng.nodes ?? '?'} node${ng.nodes === 1 ? '' : 's'}`);
    const config = configLines(preview);
    if (config.length > 0 && ng.configAfterRoll)
      out.push('  config changes (made by the pass after the update in flight ends):');
    out.push(...config);
  } else if (ng.create) {
    out.push(
      `Node group ${ng.name}: ${style.green('created')} with ${ng.create.desiredSize} node${ng.create.desiredSize === 1 ? '' : 's'} in ${ng.create.subnets.join(', ') || 'the cluster subnets'}`,
    );
  } else {
    out.push('Node group: none yet');
  }
  if (preview.inFlight)
    out.push(
      style.yellow(
        `  update in flight: ${preview.inFlight.id} (${preview.inFlight.type}, ${preview.inFlight.status})`,
      ),
    );
  out.push('', `roll: ${preview.roll ? style.yellow('yes') : 'no'} (${preview.rollReason})`);
  if (preview.impact) {
    const i = preview.impact;
    out.push(`  ${i.summary}`);
    out.push(
      `  nodes to replace: ${i.nodesToReplace}; AZs: ${i.availabilityZones.join(', ') || 'unknown'}; update strategy: ${i.updateStrategy}; max unavailable: ${i.maxUnavailable}`,
    );
  }
  out.push('');
  if (preview.writes.length === 0) {
    out.push('The reconciler would change nothing: the pool matches this spec.');
  } else {
    out.push('The reconciler would:', ...stepLines(preview));
  }
  out.push('Nothing was written.');
  return `${out.join('\n')}\n`;
}
