import { createHash, createHmac, type Hash, type Hmac } from 'node:crypto';
import type { AwsCredentials } from '@flash/aws';
import { SignatureV4 } from '@smithy/signature-v4';

type Data = string | ArrayBuffer | ArrayBufferView;
const bytes = (data: Data): string | Uint8Array =>
  typeof data === 'string'
    ? data
    : ArrayBuffer.isView(data)
      ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength)
      : new Uint8Array(data);

/** The hash the SDK's signer wants: SHA-256, or HMAC-SHA256 when given a secret. */
class Sha256 {
  private readonly hash: Hash | Hmac;
  constructor(secret?: Data) {
    this.hash = secret === undefined ? createHash('sha256') : createHmac('sha256', bytes(secret));
  }
  update(data: Data): void {
    this.hash.update(bytes(data));
  }
  async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.hash.digest());
  }
}

/** The AWS SDK's own Signature V4 signer, the reference `@flash/aws`'s signing is checked against. */
export const referenceSigner = (credentials: AwsCredentials, region: string, service: string) =>
  new SignatureV4({ credentials, region, service, sha256: Sha256, applyChecksum: false });
