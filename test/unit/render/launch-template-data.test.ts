import { createHash } from 'node:crypto';
import { gunzipSync } from 'node:zlib';
import { desiredNodegroup } from '../../../lib/reconcile/desired-state';
import {
  encodeUserData,
  launchTemplateDataHash,
  normalizeLaunchTemplateData,
  renderLaunchTemplateData,
} from '../../../lib/render/launch-template-data';
import { USER_DATA_BOUNDARY } from '../../../lib/render/user-data';
import { OWN_INSTANCE_TAGS, OWN_NODEGROUP_TAGS } from '../../../lib/rules/launch-template-rules';
import { USER_DATA_LIMIT_BYTES } from '../../../lib/rules/user-data-size';
import { CLUSTER_FACTS, seedPoolSpec, withMemoryMib } from '../../support/pool-spec-fixture';

const AMI = 'ami-0123456789abcdef0';
const NO_FACTS = { instanceTypes: {}, subnets: {}, zones: {} };

function render(spec = seedPoolSpec(), options = {}) {
  const result = renderLaunchTemplateData(spec, CLUSTER_FACTS, AMI, options);
  if (!result.ok) throw new Error(`unexpected violations: ${JSON.stringify(result.violations)}`);
  return result.rendered;
}

describe('renderLaunchTemplateData', () => {
  it('renders the enclave template: type, image, enclaves, IMDSv2, tags and base64 user data', () => {
    const rendered = render();
    expect(rendered.name).toBe('enclave-pools-my-cluster-my-node-pool');
    expect(rendered.data).toMatchObject({
      ImageId: AMI,
      InstanceType: 'm5.xlarge',
      EnclaveOptions: { Enabled: true },
      MetadataOptions: {
        HttpEndpoint: 'enabled',
        HttpTokens: 'required',
        HttpPutResponseHopLimit: 2,
        InstanceMetadataTags: 'disabled',
      },
    });
    expect(rendered.data).not.toHaveProperty('IamInstanceProfile');
    expect(rendered.data).not.toHaveProperty('SecurityGroupIds');
    const userData = Buffer.from(rendered.data.UserData, 'base64').toString('utf8');
    expect(userData).toContain(`boundary="${USER_DATA_BOUNDARY}"`);
    expect(userData).toContain('apiServerEndpoint: https://ABCDEF0123456789.gr7.eu-west-1.eks.amazonaws.com');
    expect(rendered.userData).toEqual({
      rawBytes: Buffer.byteLength(userData),
      storedBytes: Buffer.byteLength(userData),
      gzipped: false,
    });
    const instanceTags = rendered.data.TagSpecifications.find((t) => t.ResourceType === 'instance')?.Tags;
    expect(Object.fromEntries((instanceTags ?? []).map((t) => [t.Key, t.Value]))).toEqual({
      Name: 'enclave-pools-my-cluster-my-node-pool',
      'enclave-pools:managed-by': 'enclave-pools',
      'enclave-pools:pool': 'my-node-pool',
      'enclave-pools:cluster': 'my-cluster',
    });
    expect(rendered.data.TagSpecifications.map((t) => t.ResourceType)).toEqual(['instance', 'volume']);
    expect(rendered.resourceTags).toEqual({
      'enclave-pools:managed-by': 'enclave-pools',
      'enclave-pools:pool': 'my-node-pool',
      'enclave-pools:cluster': 'my-cluster',
      'enclave-pools:nodegroup': 'my-node-pool',
    });
  });

  it('puts no tag key with "/" or a space on instances, so tags in instance metadata cannot break launches', () => {
    const spec = seedPoolSpec();
    spec.launchTemplate = {
      ...spec.launchTemplate,
      metadataOptions: { ...spec.launchTemplate.metadataOptions, instanceMetadataTags: 'enabled' },
    };
    const rendered = render(spec);
    const keys = rendered.data.TagSpecifications.flatMap((t) => t.Tags.map((tag) => tag.Key));
    expect(keys.filter((key) => /[/ ]/.test(key))).toEqual([]);
    expect(rendered.data.MetadataOptions.InstanceMetadataTags).toBe('enabled');
  });

  it('adds exactly as many of its own tags as the tag-budget rule counts', () => {
    const additionalTags = { team: 'x', cost: 'y' };
    const rendered = render(seedPoolSpec({ additionalTags }), { deploymentId: 'svc-dev' });
    for (const spec of rendered.data.TagSpecifications) {
      expect([spec.ResourceType, spec.Tags.length - 2]).toEqual([spec.ResourceType, OWN_INSTANCE_TAGS]);
    }
    const nodegroupTags = desiredNodegroup(seedPoolSpec({ additionalTags }), NO_FACTS, 'svc-dev').tags;
    expect(Object.keys(nodegroupTags).length - 2).toBe(OWN_NODEGROUP_TAGS);
  });

  it('hashes equal specs equally and changed allocator memory differently', () => {
    expect(render().dataHash).toBe(render().dataHash);
    expect(render(withMemoryMib(seedPoolSpec(), 1024)).dataHash).not.toBe(render().dataHash);
  });

  it('hashes enclaves off differently from on, and the same however "off" was written', () => {
    const off = seedPoolSpec();
    off.launchTemplate = { ...off.launchTemplate, enclavesEnabled: false };
    const rendered = render(off);
    expect(rendered.data.EnclaveOptions).toEqual({ Enabled: false });
    expect(rendered.dataHash).not.toBe(render().dataHash);
    // EC2 may return a version made with enclaves off without any EnclaveOptions member.
    const readBack = { ...rendered.data, EnclaveOptions: {} as { Enabled: boolean } };
    expect(launchTemplateDataHash(readBack)).toBe(rendered.dataHash);
  });

  it('ignores the order of security groups and tags, and keeps additional tags from overriding ownership', () => {
    const a = seedPoolSpec({ additionalTags: { team: 'x', 'enclave-pools:pool': 'forged' } });
    a.launchTemplate = { ...a.launchTemplate, securityGroupIds: ['sg-2', 'sg-1'] };
    const b = seedPoolSpec({ additionalTags: { 'enclave-pools:pool': 'forged', team: 'x' } });
    b.launchTemplate = { ...b.launchTemplate, securityGroupIds: ['sg-1', 'sg-2', 'sg-1'] };
    const ra = render(a);
    expect(ra.data.SecurityGroupIds).toEqual(['sg-1', 'sg-2']);
    expect(ra.dataHash).toBe(render(b).dataHash);
    const tags = ra.data.TagSpecifications[0]?.Tags ?? [];
    expect(tags.find((t) => t.Key === 'enclave-pools:pool')?.Value).toBe('my-node-pool');
    expect(tags.map((t) => t.Key)).toEqual([...tags.map((t) => t.Key)].sort());
    const shuffled = { ...ra.data, TagSpecifications: [...ra.data.TagSpecifications].reverse() };
    expect(launchTemplateDataHash(shuffled)).toBe(ra.dataHash);
  });

  it('maps the root volume onto the image root device, and the key pair', () => {
    const spec = seedPoolSpec();
    spec.launchTemplate = {
      ...spec.launchTemplate,
      sshKeyName: 'ops',
      rootVolume: { sizeGiB: 50, type: 'gp3', iops: 3000, throughput: 125, encrypted: true, kmsKeyId: 'k' },
    };
    const withDefault = render(spec);
    expect(withDefault.data.KeyName).toBe('ops');
    expect(withDefault.data.BlockDeviceMappings).toEqual([
      {
        DeviceName: '/dev/xvda',
        Ebs: {
          VolumeSize: 50,
          VolumeType: 'gp3',
          Iops: 3000,
          Throughput: 125,
          Encrypted: true,
          KmsKeyId: 'k',
          DeleteOnTermination: true,
        },
      },
    ]);
    expect(render(spec, { rootDeviceName: '/dev/sda1' }).data.BlockDeviceMappings?.[0]?.DeviceName).toBe(
      '/dev/sda1',
    );
  });

  it('gzips user data that only fits gzipped, and refuses user data that does not fit at all', () => {
    const compressible = seedPoolSpec({
      bootstrap: {
        preNodeadmCommands: Array.from({ length: 900 }, (_, i) => `echo line-${i % 10} >> /tmp/x`),
      },
    });
    const rendered = render(compressible);
    expect(rendered.userData.rawBytes).toBeGreaterThan(USER_DATA_LIMIT_BYTES);
    expect(rendered.userData.gzipped).toBe(true);
    expect(rendered.userData.storedBytes).toBeLessThanOrEqual(USER_DATA_LIMIT_BYTES);
    const unzipped = gunzipSync(Buffer.from(rendered.data.UserData, 'base64')).toString('utf8');
    expect(unzipped).toContain('echo line-9 >> /tmp/x');
    expect(render(compressible).data.UserData).toBe(rendered.data.UserData);

    // Hash output barely compresses.
    const noise = Array.from({ length: 800 }, (_, i) =>
      createHash('sha256').update(String(i)).digest('base64'),
    ).join('');
    const huge = seedPoolSpec({ bootstrap: { preNodeadmCommands: [`echo ${noise}`] } });
    const result = renderLaunchTemplateData(huge, CLUSTER_FACTS, AMI);
    expect(result.ok).toBe(false);
    expect(!result.ok && result.violations.map((v) => v.rule)).toEqual(['UserDataTooLarge']);
  });

  it('returns violations instead of rendering for incomplete cluster facts and boundary collisions', () => {
    const missing = renderLaunchTemplateData(seedPoolSpec(), undefined, AMI);
    expect(!missing.ok && missing.violations[0]?.rule).toBe('ClusterNotFound');
    const collision = renderLaunchTemplateData(
      seedPoolSpec({ bootstrap: { preNodeadmCommands: [`--${USER_DATA_BOUNDARY}--`] } }),
      CLUSTER_FACTS,
      AMI,
    );
    expect(!collision.ok && collision.violations[0]?.rule).toBe('UserDataBoundaryCollision');
  });
});

describe('encodeUserData', () => {
  it('leaves small user data as is', () => {
    expect(encodeUserData('hello')).toEqual({ ok: true, base64: 'aGVsbG8=', storedBytes: 5, gzipped: false });
  });
});

describe('normalizeLaunchTemplateData', () => {
  it('drops empty tag specifications and empty optional members', () => {
    const data = render().data;
    const normalized = normalizeLaunchTemplateData({
      ...data,
      SecurityGroupIds: [],
      BlockDeviceMappings: [],
      TagSpecifications: [...data.TagSpecifications, { ResourceType: 'network-interface', Tags: [] }],
    });
    expect(normalized).toEqual(data);
  });
});
