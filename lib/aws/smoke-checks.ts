import {
  DescribeLaunchTemplateVersionsCommand,
  type Instance,
  paginateDescribeInstances,
} from '@aws-sdk/client-ec2';
import { DescribeNodegroupCommand } from '@aws-sdk/client-eks';
import type { AwsClients } from './client-factory';
import { translateAwsError } from './translate-error';

/**
 * What `npm run smoke:aws` checks on a real account once a pool is Ready: enclaves on in the
 * launch template version the node group runs, and on every running instance. Reads only.
 */

export interface EnclaveCheck {
  what: string;
  ok: boolean;
  detail: string;
}

/** Why no credentials are available, or undefined when the SDK's default chain finds some. */
export async function credentialsProblem(clients: Pick<AwsClients, 'eks'>): Promise<string | undefined> {
  try {
    const credentials = await clients.eks.config.credentials();
    return credentials.accessKeyId ? undefined : 'the credential chain returned no access key';
  } catch (error: unknown) {
    return error instanceof Error ? error.message : String(error);
  }
}

export async function enclaveChecks(
  clients: Pick<AwsClients, 'ec2' | 'eks'>,
  clusterName: string,
  nodegroupName: string,
): Promise<EnclaveCheck[]> {
  try {
    const { nodegroup } = await clients.eks.send(
      new DescribeNodegroupCommand({ clusterName, nodegroupName }),
    );
    const template = nodegroup?.launchTemplate;
    const checks: EnclaveCheck[] = [
      {
        what: 'node group',
        ok: nodegroup?.status === 'ACTIVE' && template?.id !== undefined,
        detail: `status ${nodegroup?.status ?? 'missing'}, launch template ${template?.id ?? 'none'} version ${template?.version ?? '?'}`,
      },
    ];
    if (!template?.id || !template.version) return checks;
    const versions = await clients.ec2.send(
      new DescribeLaunchTemplateVersionsCommand({
        LaunchTemplateId: template.id,
        Versions: [template.version],
      }),
    );
    const enabled =
      versions.LaunchTemplateVersions?.[0]?.LaunchTemplateData?.EnclaveOptions?.Enabled === true;
    checks.push({
      what: 'launch template',
      ok: enabled,
      detail: `${template.id} version ${template.version}: EnclaveOptions.Enabled ${enabled}`,
    });
    const instances: Instance[] = [];
    const pages = paginateDescribeInstances(
      { client: clients.ec2 },
      {
        Filters: [
          { Name: 'tag:eks:cluster-name', Values: [clusterName] },
          { Name: 'tag:eks:nodegroup-name', Values: [nodegroupName] },
          { Name: 'instance-state-name', Values: ['running'] },
        ],
      },
    );
    for await (const page of pages)
      instances.push(...(page.Reservations ?? []).flatMap((r) => r.Instances ?? []));
    checks.push({
      what: 'instances',
      ok: instances.length > 0 && instances.every((i) => i.EnclaveOptions?.Enabled === true),
      detail:
        instances.length === 0
          ? 'no running instance'
          : instances
              .map((i) => `${i.InstanceId}: enclaves ${i.EnclaveOptions?.Enabled === true}`)
              .join(', '),
    });
    return checks;
  } catch (error: unknown) {
    throw translateAwsError(error, { resourceId: `${clusterName}/${nodegroupName}` });
  }
}
