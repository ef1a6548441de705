import Foundation
import SluiceCore

extension PostgresStore: CertificateCacheStore {
    public func cachedCertificate(url: String) async throws(StoreError) -> (pem: [UInt8], expiresAt: Date)? {
        try await read { connection throws(StoreError) in
            let result = try connection.execute("SELECT pem, expires_at FROM certificates WHERE url = $1", [.text(url)])
            guard result.rowCount > 0 else { return nil }
            return (result.bytes(0, 0), result.date(0, 1))
        }
    }

    public func storeCertificate(url: String, pem: [UInt8], expiresAt: Date) async throws(StoreError) {
        guard pem.count <= 1 << 20 else { throw StoreError(.invalidInput, "certificate larger than 1 MiB") }
        try await write { connection throws(StoreError) in
            _ = try connection.execute("""
                INSERT INTO certificates (url, pem, expires_at, stored_at) VALUES ($1, $2, $3, $4)
                ON CONFLICT (url) DO UPDATE SET pem = excluded.pem, expires_at = excluded.expires_at, stored_at = excluded.stored_at
                """, [.text(url), .bytes(pem), .date(expiresAt), .date(Date())])
        }
    }
}
