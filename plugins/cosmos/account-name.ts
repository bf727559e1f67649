const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

/** Problem with a Cosmos DB endpoint, or undefined when it is usable. */
export function checkEndpoint(value: string): string | undefined {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return 'is not a URL (expected https://<account>.documents.azure.com)';
  }
  if (url.username !== '' || url.password !== '')
    return 'must not carry a user name or password (put a key in auth.key as a secretRef)';
  if (url.search !== '' || url.hash !== '') return 'must not carry a query or fragment';
  if (url.pathname !== '/' && url.pathname !== '') return 'must be the account endpoint, without a path';
  if (url.protocol === 'http:') {
    return LOOPBACK_HOSTS.has(url.hostname)
      ? undefined
      : 'uses http:, which is allowed only for a loopback emulator; use https:';
  }
  return url.protocol === 'https:' ? undefined : `uses ${url.protocol}, expected https:`;
}

/** True for http:// and loopback endpoints, where the SDK must not follow the account's advertised regions. */
export function isLocalEndpoint(endpoint: string): boolean {
  const url = new URL(endpoint);
  return url.protocol === 'http:' || LOOPBACK_HOSTS.has(url.hostname);
}

/** The endpoint's origin, lower-cased: two jobs with the same key export the same account. */
export function endpointKey(endpoint: string): string {
  return new URL(endpoint).origin.toLowerCase();
}

/** Concurrency group of an account, the same key `holdfast serve` limits by: `cosmos:<host[:port]>`. */
export function accountConcurrencyGroup(endpoint: string): string {
  return `cosmos:${new URL(endpoint).host.toLowerCase()}`;
}

/**
 * The short account name used in target ids (`<account>/<db>/<container>`) and for `{Account}`:
 * the configured name, else the first label of a DNS host (`cosno-orders.documents.azure.com` → `cosno-orders`),
 * else host and port (`127.0.0.1-8081`, `localhost-8081`).
 */
export function accountNameOf(account: { endpoint: string; name?: string }): string {
  if (account.name) return account.name;
  const url = new URL(account.endpoint);
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const isDnsName = /[a-z]/i.test(host) && host.includes('.');
  if (isDnsName) return host.split('.')[0]!.toLowerCase();
  const plain = host.replace(/:/g, '-').toLowerCase();
  return url.port ? `${plain}-${url.port}` : plain;
}

/** `cosmos://host[:port]/db/container`, for plan commands and messages. */
export function containerUri(endpoint: string, database: string, container: string): string {
  return `cosmos://${new URL(endpoint).host}/${database}/${container}`;
}
