import { validatePoolSpec } from '../../../lib/manifests/validate-pool-spec';
import type { ObservedLaunchTemplate, ObservedNodegroup } from '../../../lib/plan/plan-types';
import type { StoredSpec } from '../../../lib/pool-spec';
import type { ReconcileDeps } from '../../../lib/reconcile';
import type { UpdateStart } from '../../../lib/reconcile/ports';
import { planPolicyFromEnv } from '../../../lib/reconcile/reconcile-settings';
import { checkLiveRules } from '../../../lib/rules/live-rules';
import { ruleCondition } from '../../../lib/rules/rules';
import type { StatusRow, UpdateRecord } from '../../../lib/status/status-row';
import { liveFacts } from '../../support/pool-spec-fixture';

/** The pool's spec as the S3 store returns it: generation 1 of `text`, unless overridden. */
export function storedSpec(text: string, overrides: Partial<StoredSpec> = {}): StoredSpec {
  return {
    poolId: 'my-node-pool',
    source: 's3',
    location: 's3://b/pools/my-node-pool.yaml',
    text,
    generation: 1,
    ...overrides,
  };
}

/**
 * In-memory stand-ins for reconcile()'s ports, for the paths the sandbox cannot produce on demand
 * (throttling, permission errors, lost conditional writes). Behaviour is the minimum the planner
 * needs: templates with versions, a node group that is ACTIVE as soon as it exists.
 */
export class FakeWorld {
  spec: StoredSpec | undefined;
  row: StatusRow | undefined;
  template: ObservedLaunchTemplate | undefined;
  nodegroup: ObservedNodegroup | undefined;
  imageIds: Record<string, string> = {};
  groupTags: Record<string, string> = {};
  readonly calls: string[] = [];
  /** CreateLaunchTemplateVersion ClientTokens and the versions they made. */
  readonly versionTokens = new Map<string, { number: number; dataHash: string }>();
  /** Updates EKS knows, oldest first (DescribeUpdate, ListUpdates). */
  updates: UpdateRecord[] = [];
  /** What UpdateNodegroupVersion answers; EKS busy when unset. */
  onUpdateVersion:
    | ((input: { clientRequestToken: string; launchTemplateVersion: number }) => UpdateStart)
    | undefined;
  /** Throws this from the named port method once. */
  failures = new Map<string, unknown>();

  private step(name: string): void {
    this.calls.push(name);
    const failure = this.failures.get(name);
    if (failure !== undefined) {
      this.failures.delete(name);
      throw failure;
    }
  }

  deps(): ReconcileDeps {
    return {
      specStores: [
        {
          load: async () => {
            this.step('loadSpec');
            return this.spec;
          },
        },
      ],
      specChecks: {
        validate: validatePoolSpec,
        checkLive: checkLiveRules,
        conditionTypeForRule: ruleCondition,
      },
      readLiveFacts: async () => {
        this.step('readLiveFacts');
        return liveFacts();
      },
      launchTemplates: {
        describe: async () => {
          this.step('describeLaunchTemplate');
          return this.template;
        },
        findByPool: async () => {
          this.step('findLaunchTemplateByPool');
          return this.template;
        },
        create: async (input) => {
          this.step('createLaunchTemplate');
          this.template = {
            id: 'lt-1',
            name: input.name,
            tags: input.resourceTags,
            defaultVersion: 1,
            latestVersion: 1,
            versions: [{ number: 1, dataHash: input.dataHash }],
          };
          return this.template;
        },
        createVersion: async (input) => {
          this.step('createLaunchTemplateVersion');
          const template = this.template;
          if (!template) throw new Error('no template');
          // EC2 answers a reused ClientToken with the version it made (as the sandbox does).
          const replayed = this.versionTokens.get(input.clientToken);
          if (replayed) return replayed;
          const version = { number: template.latestVersion + 1, dataHash: input.dataHash };
          this.versionTokens.set(input.clientToken, version);
          this.template = {
            ...template,
            latestVersion: version.number,
            versions: [...template.versions, version],
          };
          return version;
        },
        deleteVersions: async (_id, versions) => {
          this.step('deleteLaunchTemplateVersions');
          return versions;
        },
        delete: async () => {
          this.step('deleteLaunchTemplate');
          this.template = undefined;
        },
      },
      nodegroups: {
        describe: async () => {
          this.step('describeNodegroup');
          return this.nodegroup;
        },
        create: async (input) => {
          this.step('createNodegroup');
          this.nodegroup = {
            name: input.nodegroupName,
            arn: 'arn:ng',
            status: 'ACTIVE',
            tags: input.tags,
            launchTemplate: { id: input.launchTemplateId, version: input.launchTemplateVersion },
            labels: input.labels,
            taints: input.taints,
            scaling: input.scaling,
            updateConfig: input.updateConfig,
            capacityType: input.capacityType,
            subnets: input.subnets,
            nodeRoleArn: input.nodeRoleArn,
            amiType: input.amiType,
            autoScalingGroups: [FAKE_GROUP],
            healthIssues: [],
          };
          return this.nodegroup;
        },
        updateVersion: async (input) => {
          this.step('updateNodegroupVersion');
          return this.onUpdateVersion ? this.onUpdateVersion(input) : { busy: 'in use' };
        },
        updateConfig: async () => {
          this.step('updateNodegroupConfig');
          return { busy: 'in use' };
        },
        describeUpdate: async (_cluster, _name, id) => {
          this.step('describeUpdate');
          return this.updates.find((u) => u.id === id);
        },
        findInProgressUpdate: async () => {
          this.step('findInProgressUpdate');
          return this.updates.find((u) => u.status === 'InProgress');
        },
        findUnrecordedUpdate: async (_cluster, _name, query) => {
          this.step('findUnrecordedUpdate');
          return this.updates
            .filter(
              (u) =>
                !query.knownIds.includes(u.id) &&
                u.type === query.type &&
                (query.launchTemplateVersion === undefined ||
                  u.launchTemplateVersion === query.launchTemplateVersion) &&
                Date.parse(u.createdAt ?? '') > Date.parse(query.createdAfter),
            )
            .at(-1);
        },
        listUnrecordedUpdates: async (_cluster, _name, query) => {
          this.step('listUnrecordedUpdates');
          return this.updates.filter(
            (u) =>
              !query.knownIds.includes(u.id) &&
              (query.createdAfter === undefined ||
                Date.parse(u.createdAt ?? '') > Date.parse(query.createdAfter)),
          );
        },
        tag: async () => {
          this.step('tagNodegroup');
        },
        delete: async () => {
          this.step('deleteNodegroup');
          this.nodegroup = undefined;
          return { deleting: true };
        },
      },
      // One group whose desiredSize instances run the pinned version with enclaves on.
      autoScalingGroups: {
        describe: async (name) => {
          this.step('describeAutoScalingGroup');
          const version = this.nodegroup?.launchTemplate?.version;
          return {
            name,
            ...(version !== undefined ? { launchTemplate: { id: 'lt-1', version: String(version) } } : {}),
            tags: this.groupTags,
            desiredCapacity: this.nodegroup?.scaling?.desiredSize ?? 0,
          };
        },
        putTags: async (_name, tags) => {
          this.step('putAutoScalingGroupTags');
          this.groupTags = { ...this.groupTags, ...tags };
        },
        deleteTags: async (_name, keys) => {
          this.step('deleteAutoScalingGroupTags');
          this.groupTags = Object.fromEntries(
            Object.entries(this.groupTags).filter(([k]) => !keys.includes(k)),
          );
        },
      },
      instances: {
        listByAutoScalingGroup: async () => {
          this.step('listInstances');
          const version = this.nodegroup?.launchTemplate?.version;
          return Array.from({ length: this.nodegroup?.scaling?.desiredSize ?? 0 }, (_, i) => ({
            instanceId: `i-${i}`,
            launchTime: '2026-01-01T00:00:00.000Z',
            state: 'running',
            enclavesEnabled: true,
            launchTemplateId: 'lt-1',
            ...(version !== undefined ? { launchTemplateVersion: String(version) } : {}),
          }));
        },
      },
      amiParameters: {
        imageId: async (name) => {
          this.step('getParameter');
          return this.imageIds[name];
        },
        rootDeviceName: async () => '/dev/xvda',
      },
      nodeRoles: {
        arn: async (name) => {
          this.step('getRole');
          return `arn:aws:iam::123456789012:role/${name}`;
        },
      },
      statusTable: {
        get: async () => {
          this.step('getStatus');
          return this.row;
        },
        put: async (row, expected) => {
          this.step('putStatus');
          this.row = { ...row, revision: expected + 1 };
          return this.row;
        },
      },
      variables: { KUBERNETES_VERSION: '1.35' },
      policy: planPolicyFromEnv({}),
      clock: () => new Date('2026-01-01T00:00:00Z'),
    };
  }
}

export const FAKE_GROUP = 'eks-fake-group';

export const AMI_PARAMETER =
  '/aws/service/eks/optimized-ami/1.35/amazon-linux-2023/x86_64/standard/recommended/image_id';
