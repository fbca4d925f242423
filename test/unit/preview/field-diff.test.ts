import { diffFields } from '../../../lib/preview/field-diff';

describe('diffFields', () => {
  it('lists changed, added and removed leaves by path', () => {
    expect(
      diffFields(
        { InstanceType: 'm5.xlarge', EnclaveOptions: { Enabled: false }, KeyName: 'ops' },
        { InstanceType: 'm5.2xlarge', EnclaveOptions: { Enabled: true }, SecurityGroupIds: ['sg-1'] },
      ),
    ).toEqual([
      { path: 'EnclaveOptions.Enabled', kind: 'changed', before: false, after: true },
      { path: 'InstanceType', kind: 'changed', before: 'm5.xlarge', after: 'm5.2xlarge' },
      { path: 'KeyName', kind: 'removed', before: 'ops' },
      { path: 'SecurityGroupIds', kind: 'added', after: ['sg-1'] },
    ]);
  });

  it('matches tags by key and tag specifications by resource type, ignoring order', () => {
    const before = {
      TagSpecifications: [
        { ResourceType: 'volume', Tags: [{ Key: 'team', Value: 'a' }] },
        {
          ResourceType: 'instance',
          Tags: [
            { Key: 'Name', Value: 'n' },
            { Key: 'team', Value: 'a' },
          ],
        },
      ],
    };
    const after = {
      TagSpecifications: [
        {
          ResourceType: 'instance',
          Tags: [
            { Key: 'team', Value: 'b' },
            { Key: 'Name', Value: 'n' },
            { Key: 'env', Value: 'prod' },
          ],
        },
        { ResourceType: 'volume', Tags: [{ Key: 'team', Value: 'a' }] },
      ],
    };
    expect(diffFields(before, after)).toEqual([
      { path: 'TagSpecifications[instance].Tags[env]', kind: 'added', after: 'prod' },
      { path: 'TagSpecifications[instance].Tags[team]', kind: 'changed', before: 'a', after: 'b' },
    ]);
  });

  it('compares plain lists by position and block devices by name', () => {
    expect(
      diffFields({ SecurityGroupIds: ['sg-1', 'sg-2'] }, { SecurityGroupIds: ['sg-1', 'sg-3', 'sg-4'] }),
    ).toEqual([
      { path: 'SecurityGroupIds[1]', kind: 'changed', before: 'sg-2', after: 'sg-3' },
      { path: 'SecurityGroupIds[2]', kind: 'added', after: 'sg-4' },
    ]);
    expect(
      diffFields(
        { BlockDeviceMappings: [{ DeviceName: '/dev/xvda', Ebs: { VolumeSize: 20 } }] },
        { BlockDeviceMappings: [{ DeviceName: '/dev/xvda', Ebs: { VolumeSize: 50 } }] },
      ),
    ).toEqual([
      { path: 'BlockDeviceMappings[/dev/xvda].Ebs.VolumeSize', kind: 'changed', before: 20, after: 50 },
    ]);
  });

  it('finds nothing between equal values', () => {
    expect(diffFields({ a: [1, { b: null }] }, { a: [1, { b: null }] })).toEqual([]);
  });
});
