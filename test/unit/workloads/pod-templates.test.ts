import { extractPodTemplates } from '../../../lib/workloads/pod-templates';

describe('extractPodTemplates', () => {
  it('finds pod specs in every workload kind and counts their replicas', () => {
    const text = `
apiVersion: v1
kind: Pod
metadata: { name: p }
spec: { containers: [] }
---
kind: Deployment
metadata: { name: d, namespace: ns }
spec: { replicas: 3, template: { spec: { containers: [] } } }
---
kind: DaemonSet
metadata: { name: ds }
spec: { template: { spec: { containers: [] } } }
---
kind: Job
metadata: { name: j }
spec: { parallelism: 2, template: { spec: { containers: [] } } }
---
kind: CronJob
metadata: { name: c }
spec: { jobTemplate: { spec: { template: { metadata: { annotations: { a: 1 } }, spec: { containers: [] } } } } }
---
kind: StatefulSet
metadata: { name: s }
spec: { template: { spec: { containers: [] } } }
`;
    const scan = extractPodTemplates(text);
    expect(scan.errors).toEqual([]);
    expect(scan.templates.map((t) => [t.workload, t.document, t.specPath, t.replicas])).toEqual([
      ['Pod/p', 1, 'spec', 1],
      ['Deployment/ns/d', 2, 'spec.template.spec', 3],
      ['DaemonSet/ds', 3, 'spec.template.spec', 'perNode'],
      ['Job/j', 4, 'spec.template.spec', 2],
      ['CronJob/c', 5, 'spec.jobTemplate.spec.template.spec', 1],
      ['StatefulSet/s', 6, 'spec.template.spec', 1],
    ]);
    expect(scan.templates[4]?.podAnnotations).toEqual({ a: '1' });
  });

  it('opens Lists, skips objects without pod templates and reports YAML errors with their line', () => {
    const text = `
kind: List
items:
  - kind: ReplicaSet
    metadata: { name: rs }
    spec: { template: { spec: {} } }
  - kind: ConfigMap
    metadata: { name: cm }
  - just a string
---
kind: Deployment
metadata: { name: broken }
spec: {}
---
---
key: [unclosed
`;
    const scan = extractPodTemplates(text);
    expect(scan.templates.map((t) => t.workload)).toEqual(['ReplicaSet/rs']);
    expect(scan.skipped).toEqual([
      { document: 1, kind: 'ConfigMap', name: 'cm', reason: 'a ConfigMap has no pod template' },
      { document: 1, kind: '(not a map)', name: '', reason: 'not a Kubernetes object' },
      { document: 2, kind: 'Deployment', name: 'broken', reason: 'spec.template.spec is missing' },
    ]);
    expect(scan.errors).toHaveLength(1);
    expect(scan.errors[0]).toMatch(/^document 4, line \d+: /);
  });
});
