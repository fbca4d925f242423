/**
 * Assertions for the strict sandbox tests: the request went through the real SDK client and
 * came back as the AWS error the SDK raises for that code.
 */
export async function expectAwsError(
  request: Promise<unknown>,
  code: string,
  messagePart?: string,
): Promise<void> {
  let caught: unknown;
  try {
    await request;
  } catch (error: unknown) {
    caught = error;
  }
  if (caught === undefined) throw new Error(`expected the request to fail with ${code}, but it succeeded`);
  expect(caught).toMatchObject({ name: code, $fault: 'client' });
  if (messagePart !== undefined) expect((caught as Error).message).toContain(messagePart);
}
