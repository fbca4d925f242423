import { GetRoleCommand } from '@aws-sdk/client-iam';
import type { AwsClients } from './client-factory';
import { awsErrorName, translateAwsError } from './translate-error';

/** IAM role name → ARN, for CreateNodegroup's nodeRole. A role that does not exist is `undefined`. */
export class NodeRoles {
  constructor(private readonly clients: Pick<AwsClients, 'iam'>) {}

  async arn(roleName: string): Promise<string | undefined> {
    try {
      const out = await this.clients.iam.send(new GetRoleCommand({ RoleName: roleName }));
      return out.Role?.Arn;
    } catch (error: unknown) {
      if (awsErrorName(error) === 'NoSuchEntityException' || awsErrorName(error) === 'NoSuchEntity')
        return undefined;
      throw translateAwsError(error, { resourceId: roleName });
    }
  }
}
