import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { RULES, Rule, ruleCondition } from '../../../lib/rules/rules';
import { conditionsForViolations } from '../../../lib/status/violation-conditions';

describe('rule catalogue', () => {
  it('names every rule after itself (the name is the condition reason)', () => {
    for (const [key, value] of Object.entries(Rule)) expect(value).toBe(key);
    expect(Object.keys(RULES).sort()).toEqual(Object.keys(Rule).sort());
  });

  it('names the resource condition each rule also sets, the way CAPA reports it', () => {
    const withCondition = Object.fromEntries(
      Object.entries(RULES)
        .filter(([, info]) => info.condition !== undefined)
        .map(([rule, info]) => [rule, info.condition]),
    );
    expect(withCondition).toEqual({
      UserDataTooLarge: 'LaunchTemplateReady',
      NitroEnclaveEdgeZoneUnsupported: 'LaunchTemplateReady',
      NitroSandboxCustomAmiRequired: 'LaunchTemplateReady',
      NitroSandboxEnclavesRequired: 'LaunchTemplateReady',
      ClusterNotFound: 'EKSNodegroupReady',
      ClusterNotReady: 'EKSNodegroupReady',
      UserDataBoundaryCollision: 'LaunchTemplateReady',
      AmiNotFound: 'LaunchTemplateReady',
    });
    expect(ruleCondition('NitroEnclaveEdgeZoneUnsupported')).toBe('LaunchTemplateReady');
    expect(ruleCondition('InstanceTypeUnknown')).toBeUndefined();
    expect(ruleCondition('SomethingNew')).toBeUndefined();
  });

  it('drives the status conditions from the catalogue: an AmiNotFound error also fails LaunchTemplateReady', () => {
    const conditions = conditionsForViolations([
      { path: 'p', value: 'x', rule: Rule.AmiNotFound, severity: 'Error', message: 'm' },
    ]);
    expect(conditions.map((c) => [c.type, c.status, c.reason])).toEqual([
      ['SpecValid', 'False', 'AmiNotFound'],
      ['LaunchTemplateReady', 'False', 'AmiNotFound'],
    ]);
  });

  it('holds every rule name the code reports: no rule is a string literal outside the catalogue', () => {
    const lib = path.join(__dirname, '..', '..', '..', 'lib');
    const files = readdirSync(lib, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts'));
    const literals = files.flatMap((file) =>
      [...readFileSync(path.join(lib, file), 'utf8').matchAll(/\brule: '([A-Za-z]+)'/g)].map(
        (m) => `${file}: ${m[1]}`,
      ),
    );
    expect(literals).toEqual([]);
  });

  it('is documented in docs/spec-format.md with the same severity', () => {
    const doc = readFileSync(path.join(__dirname, '..', '..', '..', 'docs', 'spec-format.md'), 'utf8');
    const documented = new Map(
      [...doc.matchAll(/^\|\s*`([A-Za-z0-9]+)`\s*\|\s*(Error|Warning)\s*\|/gm)].map((m) => [
        m[1] ?? '',
        m[2] ?? '',
      ]),
    );
    for (const [rule, info] of Object.entries(RULES))
      expect([rule, documented.get(rule)]).toEqual([rule, info.severity]);
    expect([...documented.keys()].filter((rule) => !(rule in RULES))).toEqual([]);
  });
});
