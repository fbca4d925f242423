import { DescribeImagesCommand } from '@aws-sdk/client-ec2';
import { GetParameterCommand } from '@aws-sdk/client-ssm';
import type { AwsClients } from './client-factory';
import { awsErrorName, translateAwsError } from './translate-error';

/**
 * Image lookups: the EKS-optimized AMI id behind a public SSM parameter, and an image's root
 * device name (for the root volume mapping). A parameter or image that does not exist is
 * `undefined`.
 */
export class AmiParameters {
  constructor(private readonly clients: Pick<AwsClients, 'ssm' | 'ec2'>) {}

  async imageId(parameterName: string): Promise<string | undefined> {
    try {
      const out = await this.clients.ssm.send(new GetParameterCommand({ Name: parameterName }));
      const value = out.Parameter?.Value?.trim();
      return value ? value : undefined;
    } catch (error: unknown) {
      if (awsErrorName(error) === 'ParameterNotFound') return undefined;
      throw translateAwsError(error, { resourceId: parameterName });
    }
  }

  async rootDeviceName(imageId: string): Promise<string | undefined> {
    try {
      const out = await this.clients.ec2.send(new DescribeImagesCommand({ ImageIds: [imageId] }));
      return out.Images?.[0]?.RootDeviceName;
    } catch (error: unknown) {
      if ((awsErrorName(error) ?? '').startsWith('InvalidAMIID')) return undefined;
      throw translateAwsError(error, { resourceId: imageId });
    }
  }
}
