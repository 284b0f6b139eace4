/**
 * exporter-toolkit's client_auth_type on a Node TLS server. The handshake asks for a client
 * certificate when the policy wants one; RequireAndVerifyClientCert makes OpenSSL refuse a
 * missing or unverified certificate during the handshake; the other rules (a certificate
 * required but not verified, verified only if given, allowed SANs) are checked right after the
 * handshake, before any HTTP is read, and the connection is dropped when they fail.
 */
import type { Server as TlsServer, TLSSocket } from 'node:tls';
import type { TlsSettings } from './web-config-tls.js';

/**
 * Sets whether new connections are asked for a client certificate, and whether OpenSSL itself
 * rejects unverified ones. tls.Server reads these two properties for each new connection, which
 * is what lets a reloaded web config change them without a restart (setSecureContext does not).
 */
export function applyClientAuthMode(server: TlsServer, settings: TlsSettings): void {
  const mutable = server as unknown as { requestCert: boolean; rejectUnauthorized: boolean };
  mutable.requestCert = settings.clientAuthType !== 'NoClientCert';
  mutable.rejectUnauthorized = settings.clientAuthType === 'RequireAndVerifyClientCert';
}

/** The SAN values of a peer certificate (`DNS:a, IP Address:1.2.3.4, URI:x, email:y`). */
function subjectAltNames(subjectaltname: string | undefined): string[] {
  if (!subjectaltname) return [];
  return subjectaltname.split(', ').map((entry) => entry.slice(entry.indexOf(':') + 1));
}

/**
 * Why `socket` must be dropped under `settings`, or null when it may proceed. Call it on
 * 'secureConnection'. Reasons are for debug logs (no certificate contents beyond the verdict).
 */
export function clientCertRejection(socket: TLSSocket, settings: TlsSettings): string | null {
  const policy = settings.clientAuthType;
  if (policy === 'NoClientCert' || policy === 'RequestClientCert') return null;
  const peer = socket.getPeerCertificate();
  const presented = peer !== null && typeof peer === 'object' && Object.keys(peer).length > 0;
  if (!presented) {
    return policy === 'VerifyClientCertIfGiven' ? null : 'no client certificate';
  }
  if ((policy === 'VerifyClientCertIfGiven' || policy === 'RequireAndVerifyClientCert') && !socket.authorized) {
    return `client certificate not verified (${String(socket.authorizationError)})`;
  }
  if (settings.clientAllowedSans !== null) {
    const sans = subjectAltNames(peer.subjectaltname);
    if (!sans.some((san) => settings.clientAllowedSans?.includes(san))) {
      return 'client certificate has none of client_allowed_sans';
    }
  }
  return null;
}
