import Foundation
import SluiceCore

extension PostgresStore: CounterStore {
    public func hourlyCounters(from: Date, to: Date) async throws(StoreError) -> [HourlyCounter] {
        try await read { connection throws(StoreError) in
            let result = try connection.execute("""
                SELECT hour_start, identity, kind, sum(count) FROM hourly_counters
                WHERE hour_start >= $1 AND hour_start < $2 GROUP BY hour_start, identity, kind
                ORDER BY hour_start, identity, kind
                """, [.date(from), .date(to)])
            return (0..<result.rowCount).map { row in
                HourlyCounter(
                    hourStart: result.date(row, 0), identity: result.string(row, 1),
                    kind: EventKind(rawValue: result.string(row, 2)) ?? .unknown, count: result.int(row, 3))
            }
        }
    }

    public func recordSends(identity: String, count: Int, at date: Date) async throws(StoreError) {
        guard count >= 0 else { throw StoreError(.invalidInput, "send count must not be negative") }
        guard count > 0 else { return }
        try await write { connection throws(StoreError) in
            try PGCounterRows.add(count, identity: identity, kind: .send, at: date, in: connection)
        }
    }
}

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

extension PostgresStore: SettingsStore {
    public func setting(_ key: String) async throws(StoreError) -> String? {
        try await read { connection throws(StoreError) in
            let result = try connection.execute("SELECT value FROM settings WHERE key = $1", [.text(key)])
            return result.rowCount > 0 ? result.string(0, 0) : nil
        }
    }

    public func setSetting(_ key: String, _ value: String?) async throws(StoreError) {
        guard !key.isEmpty, key.utf8.count <= 256 else { throw StoreError(.invalidInput, "setting key must be 1-256 bytes") }
        guard (value?.utf8.count ?? 0) <= 1 << 20 else { throw StoreError(.invalidInput, "setting value larger than 1 MiB") }
        try await write { connection throws(StoreError) in
            if let value {
                _ = try connection.execute("""
                    INSERT INTO settings (key, value, updated_at) VALUES ($1, $2, $3)
                    ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at
                    """, [.text(key), .text(value), .date(Date())])
            } else {
                _ = try connection.execute("DELETE FROM settings WHERE key = $1", [.text(key)])
            }
        }
    }
}

extension PostgresStore: SubscriptionStore {
    private static let subscriptionColumns = "topic_arn, endpoint, state, subscription_arn, subscribe_url, token, updated_at"

    public func recordSubscription(_ record: SNSSubscriptionRecord) async throws(StoreError) {
        try await write { connection throws(StoreError) in
            _ = try connection.execute("""
                INSERT INTO sns_subscriptions (\(Self.subscriptionColumns)) VALUES ($1, $2, $3, $4, $5, $6, $7)
                ON CONFLICT (topic_arn) DO UPDATE SET endpoint = excluded.endpoint, state = excluded.state,
                    subscription_arn = excluded.subscription_arn, subscribe_url = excluded.subscribe_url,
                    token = excluded.token, updated_at = excluded.updated_at
                """, [
                    .text(record.topicArn), .text(record.endpoint), .text(record.state.rawValue), .string(record.subscriptionArn),
                    .string(record.subscribeURL), .string(record.token), .date(record.updatedAt),
                ])
        }
    }

    public func subscriptions() async throws(StoreError) -> [SNSSubscriptionRecord] {
        try await read { connection throws(StoreError) in
            Self.records(try connection.execute("SELECT \(Self.subscriptionColumns) FROM sns_subscriptions ORDER BY topic_arn"))
        }
    }

    public func subscription(topicArn: String) async throws(StoreError) -> SNSSubscriptionRecord? {
        try await read { connection throws(StoreError) in
            Self.records(try connection.execute(
                "SELECT \(Self.subscriptionColumns) FROM sns_subscriptions WHERE topic_arn = $1", [.text(topicArn)])).first
        }
    }

    private static func records(_ result: PGResult) -> [SNSSubscriptionRecord] {
        (0..<result.rowCount).map { row in
            SNSSubscriptionRecord(
                topicArn: result.string(row, 0), endpoint: result.string(row, 1),
                state: SNSSubscriptionState(rawValue: result.string(row, 2)) ?? .pending,
                subscriptionArn: result.optionalString(row, 3), subscribeURL: result.optionalString(row, 4),
                token: result.optionalString(row, 5), updatedAt: result.date(row, 6))
        }
    }
}
