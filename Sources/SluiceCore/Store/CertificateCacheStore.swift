import Foundation

/// Durable cache of SNS signing certificates by URL.
public protocol CertificateCacheStore: Sendable {
    /// The cached PEM for `url` and when it stops being usable, expired or not; nil when absent.
    func cachedCertificate(url: String) async throws(StoreError) -> (pem: [UInt8], expiresAt: Date)?
    /// Stores or replaces the PEM for `url`.
    func storeCertificate(url: String, pem: [UInt8], expiresAt: Date) async throws(StoreError)
}
