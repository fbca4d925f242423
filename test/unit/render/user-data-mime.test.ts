import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { renderLaunchTemplateData } from '../../../lib/render/launch-template-data';
import { CLUSTER_FACTS, seedPoolSpec } from '../../support/pool-spec-fixture';

/**
 * The rendered user data read by standard parsers, not by our own code: Python's email package
 * (the MIME reader cloud-init uses) splits it, PyYAML reads the NodeConfig, and the NodeConfig must
 * carry what nodeadm requires when EKS merges nothing (custom AMI): spec.cluster.name,
 * apiServerEndpoint, certificateAuthority and cidr (awslabs/amazon-eks-ami nodeadm README and
 * its config validation).
 */

const PYTHON = path.join(__dirname, '..', '..', '..', 'infra', 'sandbox', '.venv', 'bin', 'python');
const READER = `
import base64, email, email.policy, json, sys, yaml
raw = base64.b64decode(sys.stdin.read())
message = email.message_from_bytes(raw, policy=email.policy.compat32)
parts = []
for part in message.walk():
    if part.is_multipart():
        continue
    body = part.get_payload(decode=True).decode("utf-8")
    parts.append({"type": part.get_content_type(), "body": body,
                  "docs": list(yaml.safe_load_all(body)) if part.get_content_type() == "application/node.eks.aws" else None})
print(json.dumps({"type": message.get_content_type(), "defects": [str(d) for d in message.defects], "parts": parts}))
`;

interface NodeConfigDoc {
  apiVersion?: string;
  kind?: string;
  spec?: { cluster?: Record<string, unknown> };
}

interface Parsed {
  type: string;
  defects: string[];
  parts: Array<{ type: string; body: string; docs: NodeConfigDoc[] | null }>;
}

function parse(userDataBase64: string): Parsed {
  return JSON.parse(execFileSync(PYTHON, ['-c', READER], { input: userDataBase64, encoding: 'utf8' }));
}

describe('user data as standard parsers read it', () => {
  const rendered = renderLaunchTemplateData(seedPoolSpec(), CLUSTER_FACTS, 'ami-0123456789abcdef0');
  if (!rendered.ok) throw new Error(JSON.stringify(rendered.violations));
  const parsed = parse(rendered.rendered.data.UserData);

  it('is a multipart/mixed document without defects: the shell part, then the NodeConfig', () => {
    expect(parsed.type).toBe('multipart/mixed');
    expect(parsed.defects).toEqual([]);
    expect(parsed.parts.map((p) => p.type)).toEqual(['text/x-shellscript', 'application/node.eks.aws']);
    expect(parsed.parts[0]?.body).toContain(
      'sed -i "s/memory_mib:.*/memory_mib: 768/" /etc/nitro_enclaves/allocator.yaml',
    );
  });

  it("gives nodeadm every field it requires for a custom AMI's NodeConfig", () => {
    const [nodeConfig] = parsed.parts[1]?.docs ?? [];
    expect(nodeConfig).toMatchObject({ apiVersion: 'node.eks.aws/v1alpha1', kind: 'NodeConfig' });
    expect(nodeConfig?.spec?.cluster).toEqual(
      expect.objectContaining({
        name: 'my-cluster',
        apiServerEndpoint: CLUSTER_FACTS.endpoint,
        certificateAuthority: CLUSTER_FACTS.certificateAuthority,
        cidr: '10.100.0.0/16',
      }),
    );
  });
});
