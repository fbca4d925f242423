/**
 * Node's own errors (a reset or refused socket: `code` ECONNRESET, ECONNREFUSED) are created by
 * Node's core modules, in the process's main realm. Code that runs in another realm (a `vm`
 * context, as jest runs every test file) sees them fail `instanceof Error` and `instanceof
 * Object`; the SDK's retry middleware (`asSdkError`, @smithy/core) then rethrows them as
 * `new Error("AWS SDK error wrapper for TimeoutError: socket hang up")`, without name or code,
 * and the SDK's own classification, which reads those, calls it terminal. So an error that is not
 * this realm's Error is rebuilt as one, with every field it carried and itself as the cause,
 * before it reaches the retry middleware: the SDK then retries and classifies it the same in
 * every realm (in a plain Node process, Lambda or the CLI, this never changes anything).
 */
export function inThisRealm(error: unknown): unknown {
  if (error instanceof Error || typeof error !== 'object' || error === null) return error;
  const shape = error as { name?: unknown; message?: unknown; stack?: unknown };
  if (typeof shape.message !== 'string') return error;
  const rebuilt = Object.assign(new Error(shape.message, { cause: error }), error);
  rebuilt.name = typeof shape.name === 'string' ? shape.name : 'Error';
  if (typeof shape.stack === 'string') rebuilt.stack = shape.stack;
  return rebuilt;
}

type Handler = (args: unknown) => Promise<unknown>;
type StackClient = {
  middlewareStack: {
    add(
      middleware: (next: Handler) => Handler,
      options: { step: 'finalizeRequest'; priority: 'low'; name: string },
    ): void;
  };
};

/** Each attempt's error, as the retry middleware (just outside this one) sees it, in this realm. */
export function addErrorRealmMiddleware<C>(client: C): C {
  (client as unknown as StackClient).middlewareStack.add(
    (next) => async (args) => {
      try {
        return await next(args);
      } catch (error: unknown) {
        throw inThisRealm(error);
      }
    },
    { step: 'finalizeRequest', priority: 'low', name: 'enclavePoolsErrorRealm' },
  );
  return client;
}
