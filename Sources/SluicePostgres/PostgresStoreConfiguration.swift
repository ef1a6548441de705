import Foundation
import SluiceCore

/// How to reach the PostgreSQL store.
public struct PostgresStoreConfiguration: Sendable {
    /// A libpq connection URI (`postgres://user:pass@host:5432/db?sslmode=verify-full`); a secret.
    public var url: String
    /// Connections (and threads) in the pool.
    public var poolSize: Int
    /// Server-side limit per statement; a statement over it fails with `.busy`.
    public var statementTimeoutMilliseconds: Int
    /// How long a (re)connect may take before `.unavailable`.
    public var connectTimeoutSeconds: Int
    /// Whether opening applies pending migrations or refuses a database behind this build.
    public var migration: SchemaMigration = .apply

    public init(url: String, poolSize: Int = 8, statementTimeoutMilliseconds: Int = 10_000, connectTimeoutSeconds: Int = 5) {
        self.url = url
        self.poolSize = poolSize
        self.statementTimeoutMilliseconds = statementTimeoutMilliseconds
        self.connectTimeoutSeconds = connectTimeoutSeconds
    }

    /// Whether `url` selects PostgreSQL (`postgres://` or `postgresql://`).
    public static func isPostgresURL(_ url: String) -> Bool {
        let lower = url.lowercased()
        return lower.hasPrefix("postgres://") || lower.hasPrefix("postgresql://")
    }
}

extension PostgresStoreConfiguration {
    /// `postgres://host:port/db` from a URL, without credentials or query, for logs and messages.
    public static func redacted(_ url: String) -> String {
        guard let components = URLComponents(string: url), let host = components.host else { return "postgres://(unparsed URL)" }
        let port = components.port.map { ":\($0)" } ?? ""
        return "postgres://\(host)\(port)\(components.path)"
    }
}
