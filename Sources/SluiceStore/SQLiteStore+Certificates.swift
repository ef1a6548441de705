import Foundation
import SluiceCore

extension SQLiteStore: CertificateCacheStore {
    public func cachedCertificate(url: String) async throws(StoreError) -> (pem: [UInt8], expiresAt: Date)? {
        try await readers.read { database throws(StoreError) in
            let statement = try database.statement("SELECT pem, expires_at FROM certificates WHERE url = ?1")
            defer { statement.reset() }
            statement.bind(url, at: 1)
            guard try statement.step() else { return nil }
            return (statement.blob(at: 0), statement.date(at: 1))
        }
    }

    public func storeCertificate(url: String, pem: [UInt8], expiresAt: Date) async throws(StoreError) {
        guard pem.count <= 1 << 20 else { throw StoreError(.invalidInput, "certificate larger than 1 MiB") }
        try await writer.submit { database throws(StoreError) in
            try database.run("""
                INSERT INTO certificates (url, pem, expires_at, stored_at) VALUES (?1, ?2, ?3, ?4)
                ON CONFLICT (url) DO UPDATE SET pem = excluded.pem, expires_at = excluded.expires_at, stored_at = excluded.stored_at
                """) {
                $0.bind(url, at: 1)
                $0.bind(pem, at: 2)
                $0.bind(expiresAt, at: 3)
                $0.bind(Date(), at: 4)
            }
        }
    }
}
