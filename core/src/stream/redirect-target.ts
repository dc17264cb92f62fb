/**
 * Where a client can be sent instead of this server (see-other-host, cluster mode): a node's c2s
 * `host:port` for TCP clients (RFC 6120 `<see-other-host/>`) and the URIs of its web endpoints for
 * WebSocket (RFC 7395 `see-other-uri`) and BOSH (XEP-0124 `see-other-uri`) clients.
 */
export interface RedirectTarget {
  address?: string;
  web?: readonly string[];
}

const SCHEMES: Readonly<Record<string, readonly [plain: string, secure: string]>> = {
  ws2s: ['ws:', 'wss:'],
  bosh: ['http:', 'https:'],
};

/**
 * The URI among `web` for a client of this transport (`ws2s` or `bosh`), never less secure than its
 * connection (RFC 7395 §3.6.1: no wss → ws); the same security preferred. Undefined when none fits.
 */
export function webUriFor(web: readonly string[] | undefined, kind: string, secure: boolean): string | undefined {
  const schemes = SCHEMES[kind];
  if (!schemes || !web) return undefined;
  const [plain, tls] = schemes;
  const fits = (scheme: string) => web.find((u) => u.startsWith(`${scheme}//`));
  return secure ? fits(tls) : (fits(plain) ?? fits(tls));
}
