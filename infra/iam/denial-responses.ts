import { randomUUID } from 'node:crypto';
import type { Protocol } from './request-authorization';

/**
 * A refused call, answered in the shape the real service uses, so the SDK raises the error a
 * function would see on AWS: EC2 `UnauthorizedOperation` (403, EC2 XML), S3 and IAM `AccessDenied`
 * (403, XML), EKS `AccessDeniedException` (403, x-amzn-ErrorType), JSON services
 * `AccessDeniedException` (400; SQS 403 with its query-compatible code `AccessDenied`). The message
 * follows AWS's "User: ... is not authorized to perform: ... on resource: ... because no
 * identity-based policy allows the ... action".
 */
export interface Denial {
  status: number;
  headers: Record<string, string>;
  body: string;
}

export interface DenialInput {
  protocol: Protocol;
  service: string;
  principalArn: string;
  action: string;
  resource: string;
  explicit: boolean;
  /** EKS asked on the caller's behalf (CreateNodegroup / UpdateNodegroupVersion). */
  viaEks?: boolean;
}

function message(input: DenialInput): string {
  const why = input.explicit
    ? `with an explicit deny in an identity-based policy`
    : `because no identity-based policy allows the ${input.action} action`;
  return `User: ${input.principalArn} is not authorized to perform: ${input.action} on resource: ${input.resource} ${why}`;
}

const xmlEscape = (text: string) =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

export function denialResponse(input: DenialInput): Denial {
  const requestId = randomUUID();
  const text = message(input);
  if (input.viaEks) {
    // EKS reports a missing iam:PassRole as AccessDeniedException and a launch-template permission it
    // checked for the caller as InvalidRequestException ("You are not authorized to ..."), as seen in
    // AWS's answers; the exact EC2 wording is not documented.
    const passRole = input.action === 'iam:PassRole';
    return {
      status: passRole ? 403 : 400,
      headers: {
        'content-type': 'application/json',
        'x-amzn-errortype': passRole ? 'AccessDeniedException' : 'InvalidRequestException',
        'x-amzn-requestid': requestId,
      },
      body: JSON.stringify({
        message: passRole ? text : `You are not authorized to use the launch template: ${text}`,
      }),
    };
  }
  switch (input.protocol) {
    case 'ec2':
      return {
        status: 403,
        headers: { 'content-type': 'text/xml;charset=UTF-8' },
        body:
          '<?xml version="1.0" encoding="UTF-8"?>\n<Response><Errors><Error><Code>UnauthorizedOperation</Code>' +
          `<Message>You are not authorized to perform this operation. ${xmlEscape(text)}</Message></Error></Errors>` +
          `<RequestID>${requestId}</RequestID></Response>`,
      };
    case 's3':
      return {
        status: 403,
        headers: { 'content-type': 'application/xml', 'x-amz-request-id': requestId },
        body:
          '<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>AccessDenied</Code>' +
          `<Message>${xmlEscape(text)}</Message><RequestId>${requestId}</RequestId><HostId>sandbox</HostId></Error>`,
      };
    case 'query':
      return {
        status: 403,
        headers: { 'content-type': 'text/xml', 'x-amzn-requestid': requestId },
        body:
          `<ErrorResponse><Error><Type>Sender</Type><Code>AccessDenied</Code><Message>${xmlEscape(text)}</Message>` +
          `</Error><RequestId>${requestId}</RequestId></ErrorResponse>`,
      };
    case 'rest-json':
      return {
        status: 403,
        headers: {
          'content-type': 'application/json',
          'x-amzn-errortype': 'AccessDeniedException',
          'x-amzn-requestid': requestId,
        },
        body: JSON.stringify({ message: text }),
      };
    case 'json': {
      const sqs = input.service === 'sqs';
      return {
        status: sqs ? 403 : 400,
        headers: {
          'content-type': 'application/x-amz-json-1.0',
          'x-amzn-requestid': requestId,
          ...(sqs ? { 'x-amzn-query-error': 'AccessDenied;Sender' } : {}),
        },
        body: JSON.stringify({
          __type: 'com.amazon.coral.service#AccessDeniedException',
          message: text,
          Message: text,
        }),
      };
    }
  }
}
