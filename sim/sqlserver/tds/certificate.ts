import { generate } from 'selfsigned';
import { createSecureContext, type SecureContext } from 'node:tls';

export interface ServerCertificate {
  cert: string;
  key: string;
  secureContext: SecureContext;
}

let cached: Promise<ServerCertificate> | undefined;

/**
 * The simulator's self-signed TLS certificate (EC P-256, CN=localhost, SAN localhost/127.0.0.1/::1),
 * generated once per process and shared by every server started in it.
 */
export function serverCertificate(): Promise<ServerCertificate> {
  cached ??= (async () => {
    const notBeforeDate = new Date(Date.now() - 60_000);
    const notAfterDate = new Date(notBeforeDate.getTime() + 365 * 24 * 3600 * 1000);
    const pems = await generate([{ name: 'commonName', value: 'localhost' }], {
      keyType: 'ec',
      curve: 'P-256',
      algorithm: 'sha256',
      notBeforeDate,
      notAfterDate,
      extensions: [
        { name: 'basicConstraints', cA: false },
        { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
        { name: 'extKeyUsage', serverAuth: true },
        {
          name: 'subjectAltName',
          altNames: [
            { type: 2, value: 'localhost' },
            { type: 7, ip: '127.0.0.1' },
            { type: 7, ip: '::1' },
          ],
        },
      ],
    });
    return {
      cert: pems.cert,
      key: pems.private,
      // TDS 7.x wraps the handshake in PRELOGIN packets; SQL Server offers TLS 1.3 only with TDS 8 (strict).
      secureContext: createSecureContext({
        cert: pems.cert,
        key: pems.private,
        minVersion: 'TLSv1.2',
        maxVersion: 'TLSv1.2',
      }),
    };
  })();
  cached.catch(() => {
    cached = undefined;
  });
  return cached;
}
