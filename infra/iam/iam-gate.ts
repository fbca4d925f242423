import { readFileSync } from 'node:fs';
import {
  Agent,
  createServer,
  request as httpRequest,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import path from 'node:path';
import { DescribeAutoScalingGroupsCommand } from '@aws-sdk/client-auto-scaling';
import {
  DescribeLaunchTemplatesCommand,
  DescribeLaunchTemplateVersionsCommand,
  type LaunchTemplate,
} from '@aws-sdk/client-ec2';
import {
  DescribeClusterCommand,
  DescribeNodegroupCommand,
  ListTagsForResourceCommand,
} from '@aws-sdk/client-eks';
import { GetRoleCommand } from '@aws-sdk/client-iam';
import { createAwsClients } from '../../lib/aws/all-clients';
import type { AwsClients } from '../../lib/aws/client-factory';
import { denialResponse } from './denial-responses';
import { loadPackagedPolicies, type PackagedPolicies, type PolicyDocument } from './packaged-policies';
import { type AuthorizationPrincipal, PolicyEvaluator } from './policy-evaluator';
import {
  authorizeRequest,
  type IncomingRequest,
  type LaunchTemplateFacts,
  type ResourceLookups,
  SANDBOX_ACCOUNT,
  type Tags,
} from './request-authorization';
import { adminCredentials, principalForAccessKey } from './sandbox-principals';

/**
 * The sandbox's IAM, as a gate in front of moto on the sandbox's own port: every signed request is
 * attributed to a principal by its access key id (sandbox-principals.ts); a function's or the
 * operator's request is turned into the questions AWS asks (request-authorization.ts), each answered
 * by the IAM evaluator from that principal's policy, and forwarded only when all are allowed; a
 * refused one gets the service's own access-denied error. The control API (/_sandbox, /moto-api)
 * and administrator requests pass untouched.
 */

export interface IamGateOptions {
  /** Port on 127.0.0.1 to listen on (0 = any). */
  port: number;
  /** moto's endpoint, e.g. http://127.0.0.1:40123. */
  upstream: string;
  projectRoot: string;
  /** Replace the packaged policies (tests that prove a missing permission is refused). */
  policies?: (region: string) => PackagedPolicies;
  /** The operator's (CLI) policy; default docs/operator-policy.json. */
  operatorPolicy?: PolicyDocument;
}

export interface IamDecisionRecord {
  principal: string;
  operation: string;
  action: string;
  resource: string;
  allowed: boolean;
}

export interface RunningIamGate {
  endpoint: string;
  port: number;
  /** Refusals so far (every one), and counts of evaluated requests per principal. */
  stats(): {
    evaluatedRequests: Record<string, number>;
    denials: IamDecisionRecord[];
    evaluator: PolicyEvaluator['counts'];
  };
  close(): Promise<void>;
}

export const OPERATOR_POLICY_FILE = path.join('docs', 'operator-policy.json');

const CONTROL_PATH = /^\/(_sandbox|moto-api)(\/|$)/;

export async function startIamGate(options: IamGateOptions): Promise<RunningIamGate> {
  const upstream = new URL(options.upstream);
  const agent = new Agent({ keepAlive: true, maxSockets: 64 });
  const evaluator = new PolicyEvaluator();
  const policiesByRegion = new Map<string, PackagedPolicies>();
  const policiesFor = (region: string): PackagedPolicies => {
    let policies = policiesByRegion.get(region);
    if (!policies) {
      policies = options.policies
        ? options.policies(region)
        : loadPackagedPolicies(options.projectRoot, region);
      policiesByRegion.set(region, policies);
    }
    return policies;
  };
  let operatorPolicy = options.operatorPolicy;
  const operatorDocument = (): PolicyDocument => {
    operatorPolicy ??= JSON.parse(
      readFileSync(path.join(options.projectRoot, OPERATOR_POLICY_FILE), 'utf8'),
    ) as PolicyDocument;
    return operatorPolicy;
  };
  const lookups = new SandboxLookups(options.upstream);
  const evaluatedRequests: Record<string, number> = {};
  const denials: IamDecisionRecord[] = [];

  const forward = (incoming: IncomingMessage, body: Buffer, response: ServerResponse) => {
    const upstreamRequest = httpRequest(
      {
        agent,
        host: upstream.hostname,
        port: upstream.port,
        method: incoming.method,
        path: incoming.url,
        // The Host header stays the gate's: moto builds queue URLs and S3 redirects from it.
        headers: incoming.headers,
      },
      (upstreamResponse) => {
        response.writeHead(upstreamResponse.statusCode ?? 502, upstreamResponse.headers);
        upstreamResponse.pipe(response);
      },
    );
    upstreamRequest.on('error', (error) => {
      if (!response.headersSent) response.writeHead(502, { 'content-type': 'text/plain' });
      response.end(`IAM gate: the sandbox did not answer (${error.message})`);
    });
    upstreamRequest.end(body);
  };

  const principalFor = (
    accessKeyId: string,
    region: string,
  ): AuthorizationPrincipal | undefined | 'admin' => {
    const principal = principalForAccessKey(accessKeyId);
    if (principal.kind === 'admin') return 'admin';
    if (principal.kind === 'operator') {
      return {
        arn: `arn:aws:iam::${SANDBOX_ACCOUNT}:role/enclave-pools-operator`,
        policies: [{ name: 'operator', document: operatorDocument() }],
      };
    }
    const policies = policiesFor(region);
    const role = policies.roles[policies.functionRoles[principal.functionKey] ?? ''];
    if (!role) return undefined;
    return { arn: role.roleArn, policies: role.policies };
  };

  const handle = async (incoming: IncomingMessage, response: ServerResponse) => {
    const body = await readBody(incoming);
    const url = incoming.url ?? '/';
    if (url === '/_iam/stats') {
      const stats = { evaluatedRequests, denials, evaluator: evaluator.counts };
      return send(response, {
        status: 200,
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(stats),
      });
    }
    const credential = credentialScope(incoming);
    if (CONTROL_PATH.test(url) || !credential) return forward(incoming, body, response);
    const principal = principalFor(credential.accessKeyId, credential.region);
    if (principal === 'admin') return forward(incoming, body, response);
    const request: IncomingRequest = {
      service: credential.service,
      region: credential.region,
      method: incoming.method ?? 'GET',
      url,
      headers: incoming.headers,
      body,
    };
    if (!principal) {
      return send(response, {
        status: 403,
        headers: { 'content-type': 'application/json', 'x-amzn-errortype': 'UnrecognizedClientException' },
        body: JSON.stringify({
          message: `The security token included in the request is invalid (${credential.accessKeyId} names no function of serverless.yml)`,
        }),
      });
    }
    const authorization = await authorizeRequest(request, lookups);
    evaluatedRequests[principal.arn] = (evaluatedRequests[principal.arn] ?? 0) + 1;
    for (const check of authorization.checks) {
      const decision = await evaluator.evaluate(principal, check);
      if (decision.allowed) continue;
      denials.push({
        principal: principal.arn,
        operation: authorization.operation,
        action: check.action,
        resource: check.resource,
        allowed: false,
      });
      const session = principal.arn.replace(':iam::', ':sts::').replace(':role/', ':assumed-role/');
      return send(
        response,
        denialResponse({
          protocol: authorization.protocol,
          service: credential.service,
          principalArn: `${session}/${credential.accessKeyId}`,
          action: check.action,
          resource: check.resource,
          explicit: decision.reason === 'ExplicitlyDenied',
          viaEks: check.via === 'eks',
        }),
      );
    }
    forward(incoming, body, response);
  };

  const server: Server = createServer((incoming, response) => {
    handle(incoming, response).catch((error: unknown) => {
      // A request the gate cannot map is a gap in the gate, not a pass: it fails loudly.
      send(response, {
        status: 500,
        headers: { 'content-type': 'application/json', 'x-amzn-errortype': 'InternalFailure' },
        body: JSON.stringify({
          message: `IAM gate: ${error instanceof Error ? error.message : String(error)}`,
        }),
      });
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    port,
    stats: () => ({
      evaluatedRequests: { ...evaluatedRequests },
      denials: [...denials],
      evaluator: { ...evaluator.counts },
    }),
    close: () =>
      new Promise<void>((resolve) => {
        agent.destroy();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function send(
  response: ServerResponse,
  denial: { status: number; headers: Record<string, string>; body: string },
) {
  if (response.headersSent) return response.end();
  response.writeHead(denial.status, { ...denial.headers, 'content-length': Buffer.byteLength(denial.body) });
  response.end(denial.body);
}

function readBody(incoming: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
    incoming.on('end', () => resolve(Buffer.concat(chunks)));
    incoming.on('error', reject);
  });
}

/** `AWS4-HMAC-SHA256 Credential=<key>/<date>/<region>/<service>/aws4_request, ...` (or a presigned URL). */
function credentialScope(
  incoming: IncomingMessage,
): { accessKeyId: string; region: string; service: string } | undefined {
  const header = String(incoming.headers.authorization ?? '');
  let credential = /Credential=([^,\s]+)/.exec(header)?.[1];
  if (!credential) {
    const query = (incoming.url ?? '').split('?')[1] ?? '';
    credential = new URLSearchParams(query).get('X-Amz-Credential') ?? undefined;
  }
  if (!credential) return undefined;
  const [accessKeyId = '', , region = '', service = ''] = credential.split('/');
  return { accessKeyId, region, service };
}

const tagsOf = (tags: Array<{ Key?: string; Value?: string }> | undefined): Tags =>
  Object.fromEntries((tags ?? []).map((tag) => [tag.Key ?? '', tag.Value ?? '']));

/** Resource facts read from moto directly, with administrator credentials. */
class SandboxLookups implements ResourceLookups {
  private readonly clients = new Map<string, AwsClients>();

  constructor(private readonly upstream: string) {}

  private client(region: string): AwsClients {
    let clients = this.clients.get(region);
    if (!clients) {
      clients = createAwsClients({
        region,
        endpoint: this.upstream,
        maxAttempts: 1,
        credentials: adminCredentials(),
      });
      this.clients.set(region, clients);
    }
    return clients;
  }

  async launchTemplate(
    region: string,
    ref: { id?: string; name?: string },
  ): Promise<LaunchTemplateFacts | undefined> {
    let template: LaunchTemplate | undefined;
    try {
      const out = await this.client(region).ec2.send(
        new DescribeLaunchTemplatesCommand(
          ref.id ? { LaunchTemplateIds: [ref.id] } : { LaunchTemplateNames: [ref.name ?? ''] },
        ),
      );
      template = out.LaunchTemplates?.[0];
    } catch {
      return undefined;
    }
    if (!template?.LaunchTemplateId) return undefined;
    return {
      id: template.LaunchTemplateId,
      arn: `arn:aws:ec2:${region}:${SANDBOX_ACCOUNT}:launch-template/${template.LaunchTemplateId}`,
      tags: tagsOf(template.Tags),
    };
  }

  async launchTemplateVersion(region: string, id: string, version: string | undefined) {
    try {
      const out = await this.client(region).ec2.send(
        new DescribeLaunchTemplateVersionsCommand({
          LaunchTemplateId: id,
          Versions: [version ?? '$Default'],
        }),
      );
      const data = out.LaunchTemplateVersions?.[0]?.LaunchTemplateData;
      if (!data) return undefined;
      const tagSpecifications: Record<string, Tags> = {};
      for (const spec of data.TagSpecifications ?? [])
        tagSpecifications[spec.ResourceType ?? ''] = tagsOf(spec.Tags);
      return {
        ...(data.ImageId ? { imageId: data.ImageId } : {}),
        ...(data.KeyName ? { keyName: data.KeyName } : {}),
        securityGroupIds: data.SecurityGroupIds ?? [],
        tagSpecifications,
      };
    } catch {
      return undefined;
    }
  }

  async cluster(region: string, name: string) {
    try {
      const out = await this.client(region).eks.send(new DescribeClusterCommand({ name }));
      return out.cluster?.arn ? { arn: out.cluster.arn, tags: out.cluster.tags ?? {} } : undefined;
    } catch {
      return undefined;
    }
  }

  async nodegroup(region: string, clusterName: string, nodegroupName: string) {
    try {
      const out = await this.client(region).eks.send(
        new DescribeNodegroupCommand({ clusterName, nodegroupName }),
      );
      const nodegroup = out.nodegroup;
      if (!nodegroup?.nodegroupArn) return undefined;
      return {
        arn: nodegroup.nodegroupArn,
        tags: nodegroup.tags ?? {},
        subnets: nodegroup.subnets ?? [],
        ...(nodegroup.nodeRole ? { nodeRole: nodegroup.nodeRole } : {}),
      };
    } catch {
      return undefined;
    }
  }

  async eksTagsByArn(region: string, arn: string) {
    try {
      const out = await this.client(region).eks.send(new ListTagsForResourceCommand({ resourceArn: arn }));
      return out.tags ?? {};
    } catch {
      return undefined;
    }
  }

  async autoScalingGroup(region: string, name: string) {
    try {
      const out = await this.client(region).autoScaling.send(
        new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [name] }),
      );
      const group = out.AutoScalingGroups?.[0];
      if (!group?.AutoScalingGroupARN) return undefined;
      return {
        arn: group.AutoScalingGroupARN,
        tags: Object.fromEntries((group.Tags ?? []).map((t) => [t.Key ?? '', t.Value ?? ''])),
      };
    } catch {
      return undefined;
    }
  }

  async roleArn(roleName: string) {
    try {
      const out = await this.client('us-east-1').iam.send(new GetRoleCommand({ RoleName: roleName }));
      return out.Role?.Arn;
    } catch {
      return undefined;
    }
  }
}
