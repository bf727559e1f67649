import { RestError } from '@azure/storage-blob';
import { describe, expect, it } from 'vitest';
import { Secret } from '../../src/core/secret.ts';
import { mapAzureError, type AzureErrorContext } from '../../src/storage/map-azure-error.ts';

const sas = new Secret('sv=2024-01-01&sp=racwdl&sig=c2VjcmV0LXNpZ25hdHVyZQ%3D%3D', 'env:SAS');
const ctx: AzureErrorContext = {
  target: 'blob',
  action: 'write',
  subject: 'db/full.bak',
  accountUrl: 'https://st.blob.core.windows.net',
  container: 'backups',
  secrets: [sas],
};

function rest(status: number, code: string, message = `${code} happened\nRequestId:1\nTime:now`): RestError {
  return new RestError(message, { statusCode: status, code });
}

describe('mapAzureError', () => {
  it('marks throttling, timeouts and server errors retryable, and client errors not', () => {
    for (const [status, code] of [
      [429, 'TooManyRequests'],
      [503, 'ServerBusy'],
      [500, 'InternalError'],
      [408, 'RequestTimeout'],
    ] as const) {
      const err = mapAzureError(rest(status, code), ctx);
      expect(err.code).toBe('STORAGE_FAILED');
      expect(err.retryable, code).toBe(true);
      expect(err.message).toBe(
        `storage blob: cannot write db/full.bak in container backups in https://st.blob.core.windows.net: the service answered ${status} ${code}: ${code} happened`,
      );
    }
    expect(mapAzureError(rest(400, 'InvalidHeaderValue'), ctx).retryable).toBe(false);
    expect(mapAzureError(rest(409, 'LeaseIdMissing'), ctx).retryable).toBe(false);
  });

  it('speaks of refused credentials, missing containers and missing blobs', () => {
    expect(mapAzureError(rest(403, 'AuthorizationPermissionMismatch'), ctx).message).toBe(
      'storage blob: the credential was refused for container backups in https://st.blob.core.windows.net (403 AuthorizationPermissionMismatch: AuthorizationPermissionMismatch happened)',
    );
    expect(mapAzureError(rest(404, 'ContainerNotFound'), ctx).message).toBe(
      'storage blob: container backups in https://st.blob.core.windows.net does not exist',
    );
    const missing = mapAzureError(rest(404, 'BlobNotFound'), { ...ctx, action: 'read' });
    expect(missing.code).toBe('NOT_FOUND');
    expect(missing.details).toMatchObject({ blob: 'db/full.bak', status: 404, errorCode: 'BlobNotFound' });
  });

  it('says which Entra problem stopped it', () => {
    const err = Object.assign(new Error('DefaultAzureCredential failed to retrieve a token.\nmore'), {
      name: 'CredentialUnavailableError',
    });
    expect(mapAzureError(err, ctx).message).toBe(
      'storage blob: no Entra credential could get a token for https://st.blob.core.windows.net: DefaultAzureCredential failed to retrieve a token.',
    );
  });

  it('finds network errors in causes and messages', () => {
    const dns = new RestError('getaddrinfo ENOTFOUND st.blob.core.windows.net', {
      code: 'REQUEST_SEND_ERROR',
    });
    const mapped = mapAzureError(dns, ctx);
    expect(mapped.message).toBe(
      'storage blob: account https://st.blob.core.windows.net unreachable (ENOTFOUND) while trying to write db/full.bak',
    );
    expect(mapped.retryable).toBe(true);
    const reset = Object.assign(new Error('socket hang up'), {
      cause: Object.assign(new Error('read'), { code: 'ECONNRESET' }),
    });
    expect(mapAzureError(reset, ctx)).toMatchObject({
      retryable: true,
      message: expect.stringMatching(/connection to .* failed \(ECONNRESET\)/),
    });
  });

  it('redacts secrets from server text and keeps the original error (which holds the request) out of the cause', () => {
    const echoed = rest(
      400,
      'InvalidQueryParameterValue',
      `Value for one of the query parameters specified in the request URI is invalid: ${sas.reveal()}`,
    );
    const err = mapAzureError(echoed, ctx);
    expect(err.message).not.toContain('c2VjcmV0');
    expect(err.message).toContain('********');
    expect(err.cause).not.toBe(echoed);
    expect(JSON.stringify(err.toJSON())).not.toContain('c2VjcmV0');
  });
});
