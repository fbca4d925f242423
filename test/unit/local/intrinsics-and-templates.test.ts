import { renderInputTemplate, renderPipeEvent } from '../../../infra/local/pipe-runner';
import { resolveIntrinsics } from '../../../infra/local/provision';

describe('renderInputTemplate (EventBridge Pipes input transformation)', () => {
  const record = { eventName: 'INSERT', dynamodb: { Keys: { poolId: { S: 'blue' } }, SequenceNumber: '7' } };
  const pipe = {
    pipeArn: 'arn:aws:pipes:eu-west-1:123456789012:pipe/p',
    pipeName: 'p',
    sourceArn: 'arn:aws:dynamodb:eu-west-1:123456789012:table/t/stream/1',
    targetArn: 'arn:aws:events:eu-west-1:123456789012:event-bus/default',
    ingestionTime: '2026-12-01T09:00:00.000Z',
  };

  it('inserts string values as is, so a quoted variable gives a JSON string', () => {
    const rendered = renderInputTemplate(
      '{"poolId": "<$.dynamodb.Keys.poolId.S>", "e": "<$.eventName>"}',
      record,
    );
    expect(JSON.parse(rendered)).toEqual({ poolId: 'blue', e: 'INSERT' });
  });

  it('leaves an unquoted string variable unquoted, which is not JSON (the bug of the old template)', () => {
    const rendered = renderInputTemplate('{"poolId": <$.dynamodb.Keys.poolId.S>}', record);
    expect(rendered).toBe('{"poolId": blue}');
    expect(renderPipeEvent('{"poolId": <$.dynamodb.Keys.poolId.S>}', record)).toEqual({
      error: expect.stringContaining('invalid JSON'),
    });
  });

  it('inserts objects and arrays as JSON, and a path that matches nothing as nothing', () => {
    expect(JSON.parse(renderInputTemplate('{"keys": <$.dynamodb.Keys>}', record))).toEqual({
      keys: { poolId: { S: 'blue' } },
    });
    expect(renderInputTemplate('{"x": "<$.nope.deeper>"}', record)).toBe('{"x": ""}');
  });

  it('knows the reserved variables', () => {
    const rendered = renderInputTemplate(
      '{"arn": "<aws.pipes.pipe-arn>", "name": "<aws.pipes.pipe-name>", "src": "<aws.pipes.source-arn>", ' +
        '"target": "<aws.pipes.target-arn>", "at": "<aws.pipes.event.ingestion-time>", ' +
        '"event": <aws.pipes.event.json>, "text": "<aws.pipes.event>"}',
      record,
      pipe,
    );
    expect(JSON.parse(rendered)).toEqual({
      arn: pipe.pipeArn,
      name: 'p',
      src: pipe.sourceArn,
      target: pipe.targetArn,
      at: pipe.ingestionTime,
      event: record,
      text: JSON.stringify(record),
    });
  });
});

describe('resolveIntrinsics', () => {
  const physicalIds = { Queue: 'https://sqs/queue', Bucket: 'specs' };
  const attributes = {
    Queue: { Arn: 'arn:aws:sqs:eu-west-1:123456789012:q' },
    Table: { StreamArn: 'arn:stream' },
  };

  it('resolves Ref, Fn::GetAtt in both forms, Fn::Join and Fn::Sub, deeply', () => {
    const input = {
      a: { Ref: 'Bucket' },
      b: [{ 'Fn::GetAtt': ['Queue', 'Arn'] }, { 'Fn::GetAtt': 'Table.StreamArn' }],
      // biome-ignore lint/suspicious/noTemplateCurlyInString: CloudFormation Fn::Sub syntax, not a JS template
      c: { 'Fn::Sub': 'arn:${AWS::Partition}:events:${AWS::Region}:${AWS::AccountId}:event-bus/default' },
      // biome-ignore lint/suspicious/noTemplateCurlyInString: CloudFormation Fn::Sub syntax, not a JS template
      d: { 'Fn::Sub': '${Queue.Arn}/x' },
      e: { 'Fn::Join': ['-', ['enclave-pools', { Ref: 'AWS::Region' }, 'lambdaRole']] },
    };
    expect(resolveIntrinsics(input, physicalIds, attributes, 'eu-west-1')).toEqual({
      a: 'specs',
      b: ['arn:aws:sqs:eu-west-1:123456789012:q', 'arn:stream'],
      c: 'arn:aws:events:eu-west-1:123456789012:event-bus/default',
      d: 'arn:aws:sqs:eu-west-1:123456789012:q/x',
      e: 'enclave-pools-eu-west-1-lambdaRole',
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
