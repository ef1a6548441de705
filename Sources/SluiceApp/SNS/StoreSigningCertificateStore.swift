import Foundation
import SluiceAWS
import SluiceCore

/// The SQLite certificate cache as the provider's durable second level. Store errors count as a miss
/// (load) or are dropped (save): the certificate is then simply fetched again later.
struct StoreSigningCertificateStore: SigningCertificateStore {
    let store: any CertificateCacheStore

    func load(url: String) async -> (pem: [UInt8], expiresAt: Date)? {
        try? await store.cachedCertificate(url: url)
    }

    func save(url: String, pem: [UInt8], expiresAt: Date) async {
        try? await store.storeCertificate(url: url, pem: pem, expiresAt: expiresAt)
    }
}
