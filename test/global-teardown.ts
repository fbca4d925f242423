/** Stops the sandboxes global-setup.ts started. */
export default async function globalTeardown(): Promise<void> {
  const sandboxes = globalThis.__SANDBOXES__ ?? [];
  globalThis.__SANDBOXES__ = undefined;
  await Promise.all(sandboxes.map((s) => s.stop()));
}
