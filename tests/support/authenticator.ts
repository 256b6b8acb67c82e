// A software passkey authenticator, for tests and the benchmark where no browser is at hand: it makes
// an ES256 key pair per credential and answers WebAuthn's create and get ceremonies the way a
// browser with a platform authenticator would (attestation "none", user present and verified).
// Formats: https://www.w3.org/TR/webauthn-3/#sctn-attestation and #sctn-authenticator-data.
import { createHash, generateKeyPairSync, type KeyObject, randomBytes, sign } from 'node:crypto';
import type { AuthenticationResponseJSON, PublicKeyCredentialCreationOptionsJSON, PublicKeyCredentialRequestOptionsJSON, RegistrationResponseJSON } from '@simplewebauthn/server';
import { isoCBOR } from '@simplewebauthn/server/helpers';

type Credential = { id: Buffer; privateKey: KeyObject; cose: Uint8Array; userHandle: string; counter: number };

const b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64url');
const sha256 = (data: Uint8Array | string) => createHash('sha256').update(data).digest();

/** User present, user verified; AT: attested credential data follows. */
const FLAGS = { UP: 0x01, UV: 0x04, AT: 0x40 };

function clientData(type: 'webauthn.create' | 'webauthn.get', challenge: string, origin: string): Buffer {
  return Buffer.from(JSON.stringify({ type, challenge, origin, crossOrigin: false }));
}

export class SoftAuthenticator {
  readonly credentials: Credential[] = [];

  constructor(readonly origin: string) {}

  get rpId(): string {
    return new URL(this.origin).hostname;
  }

  /** navigator.credentials.create: a new discoverable credential for the options' user. */
  create(options: PublicKeyCredentialCreationOptionsJSON): RegistrationResponseJSON {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const jwk = publicKey.export({ format: 'jwk' });
    // COSE_Key: kty EC2 (2), alg ES256 (-7), crv P-256 (1), x, y.
    const cose = isoCBOR.encode(
      new Map<number, number | Uint8Array>([
        [1, 2],
        [3, -7],
        [-1, 1],
        [-2, Buffer.from(jwk.x ?? '', 'base64url')],
        [-3, Buffer.from(jwk.y ?? '', 'base64url')],
      ]),
    );
    const id = randomBytes(16);
    const length = Buffer.alloc(2);
    length.writeUInt16BE(id.length);
    const authData = Buffer.concat([sha256(options.rp.id ?? this.rpId), Buffer.from([FLAGS.UP | FLAGS.UV | FLAGS.AT]), Buffer.alloc(4), Buffer.alloc(16), length, id, cose]);
    this.credentials.push({ id, privateKey, cose, userHandle: options.user.id, counter: 0 });
    const attestationObject = isoCBOR.encode(
      new Map<string, string | Map<string, string> | Uint8Array>([
        ['fmt', 'none'],
        ['attStmt', new Map<string, string>()],
        ['authData', authData],
      ]),
    );
    return {
      id: b64(id),
      rawId: b64(id),
      type: 'public-key',
      clientExtensionResults: {},
      authenticatorAttachment: 'platform',
      response: { clientDataJSON: b64(clientData('webauthn.create', options.challenge, this.origin)), attestationObject: b64(attestationObject), transports: ['internal'] },
    };
  }

  /** navigator.credentials.get: an assertion by a credential this authenticator holds (the first, or the one with `id`). */
  get(options: PublicKeyCredentialRequestOptionsJSON, id?: string): AuthenticationResponseJSON {
    const credential = id === undefined ? this.credentials[0] : this.credentials.find((each) => b64(each.id) === id);
    if (!credential) throw new Error('This authenticator holds no such passkey');
    credential.counter += 1;
    const counter = Buffer.alloc(4);
    counter.writeUInt32BE(credential.counter);
    const authenticatorData = Buffer.concat([sha256(options.rpId ?? this.rpId), Buffer.from([FLAGS.UP | FLAGS.UV]), counter]);
    const data = clientData('webauthn.get', options.challenge, this.origin);
    const signature = sign('sha256', Buffer.concat([authenticatorData, sha256(data)]), credential.privateKey);
    return {
      id: b64(credential.id),
      rawId: b64(credential.id),
      type: 'public-key',
      clientExtensionResults: {},
      authenticatorAttachment: 'platform',
      response: { clientDataJSON: b64(data), authenticatorData: b64(authenticatorData), signature: b64(signature), userHandle: credential.userHandle },
    };
  }
}
