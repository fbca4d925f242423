import { renderInputTemplate } from '../../../infra/local/pipe-runner';
import { resolveIntrinsics } from '../../../infra/local/provision';

describe('renderInputTemplate (EventBridge Pipes syntax)', () => {
  it('substitutes JSON values at dot paths of the stream record', () => {
    const record = { eventName: 'INSERT', dynamodb: { Keys: { poolId: { S: 'blue' } } } };
    const rendered = renderInputTemplate(
      '{"poolId": <$.dynamodb.Keys.poolId.S>, "eventName": <$.eventName>}',
      record,
    );
    expect(JSON.parse(rendered)).toEqual({ poolId: 'blue', eventName: 'INSERT' });
  });

  it('renders a missing path as null rather than breaking the JSON', () => {
    expect(JSON.parse(renderInputTemplate('{"x": <$.nope.deeper>}', {}))).toEqual({ x: null });
  });
});

describe('resolveIntrinsics', () => {
  const physicalIds = { Queue: 'https://sqs/queue', Bucket: 'specs' };
  const attributes = {
    Queue: { Arn: 'arn:aws:sqs:eu-west-1:123456789012:q' },
    Table: { StreamArn: 'arn:stream' },
  };

  it('resolves Ref, Fn::GetAtt in both forms and Fn::Sub, deeply', () => {
    const input = {
      a: { Ref: 'Bucket' },
      b: [{ 'Fn::GetAtt': ['Queue', 'Arn'] }, { 'Fn::GetAtt': 'Table.StreamArn' }],
      // biome-ignore lint/suspicious/noTemplateCurlyInString: CloudFormation Fn::Sub syntax, not a JS template
      c: { 'Fn::Sub': 'arn:${AWS::Partition}:events:${AWS::Region}:${AWS::AccountId}:event-bus/default' },
      // biome-ignore lint/suspicious/noTemplateCurlyInString: CloudFormation Fn::Sub syntax, not a JS template
      d: { 'Fn::Sub': '${Queue.Arn}/x' },
    };
    expect(resolveIntrinsics(input, physicalIds, attributes, 'eu-west-1')).toEqual({
      a: 'specs',
      b: ['arn:aws:sqs:eu-west-1:123456789012:q', 'arn:stream'],
      c: 'arn:aws:events:eu-west-1:123456789012:event-bus/default',
      d: 'arn:aws:sqs:eu-west-1:123456789012:q/x',
    });
  });

  it('names what it cannot resolve', () => {
    expect(() => resolveIntrinsics({ Ref: 'Missing' }, physicalIds, attributes, 'eu-west-1')).toThrow(
      'cannot resolve Ref Missing locally',
    );
    expect(() => resolveIntrinsics({ 'Fn::GetAtt': ['Queue', 'Url'] }, physicalIds, attributes, 'x')).toThrow(
      'Fn::GetAtt Queue.Url',
    );
  });
});
