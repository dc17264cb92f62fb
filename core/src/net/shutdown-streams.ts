import type { ClientStream } from '../stream/client-stream';

/**
 * Ends every open stream of a connection manager with `<system-shutdown/>` and waits until they have
 * closed (each leaves `streams` as it does), at most `graceMs`.
 */
export async function shutDownStreams(streams: ReadonlySet<ClientStream>, graceMs = 2000): Promise<void> {
  for (const c of streams) c.streamError('system-shutdown', 'The server is shutting down');
  const deadline = Date.now() + graceMs;
  while (streams.size && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
}
