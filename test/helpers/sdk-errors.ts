/**
 * The error an SDK call against the local AWS failed with, for tests that
 * assert the wire-level error (name, HTTP status, message) a caller sees.
 */

/** The error `call` rejected with; throws when it succeeded instead. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- callers read the SDK error's own members (name, $metadata, Code) of whichever service failed
export async function rejection(call: Promise<unknown>): Promise<any> {
  try {
    await call;
  } catch (error) {
    return error;
  }
  throw new Error("expected the call to fail, but it succeeded");
}

/** A failed SDK call as its caller sees it: the error's name, the HTTP status and the message. */
export async function failure(call: Promise<unknown>): Promise<{ name: string; status?: number; message: string }> {
  const err = (await rejection(call)) as { name: string; message: string; $metadata?: { httpStatusCode?: number } };
  return { name: err.name, status: err.$metadata?.httpStatusCode, message: err.message };
}
