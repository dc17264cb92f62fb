/**
 * A service that one plugin provides to the plugins that require it, as a typed DI token. The provider's
 * manifest names it in `"provides": ["roster"]` and binds it in its `services` module
 * (`bind(ROSTER_SERVICE).to(RosterManager)`); a plugin that `requires` the provider gets it injected
 * (`@inject(ROSTER_SERVICE) roster: RosterService`). `Symbol.for` keeps its identity across reloads.
 */
export type ServiceToken<T> = symbol & { readonly __service?: T };

const PREFIX = 'starling.service.';

export function serviceToken<T>(name: string): ServiceToken<T> {
  return Symbol.for(PREFIX + name) as ServiceToken<T>;
}

/** The manifest name of a service token (`roster` for serviceToken('roster')). */
export function serviceName(token: symbol): string {
  const key = Symbol.keyFor(token);
  return key?.startsWith(PREFIX) ? key.slice(PREFIX.length) : String(token.description);
}

/** A manifest entry of `provides` as a token (manifests in package.json give names). */
export function toServiceToken(entry: string | symbol): ServiceToken<unknown> {
  return (typeof entry === 'symbol' ? entry : serviceToken(entry)) as ServiceToken<unknown>;
}
