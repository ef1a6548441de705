import Foundation
import SluiceCore

extension SQLiteStore: SubscriptionStore {
    private static let subscriptionColumns = "topic_arn, endpoint, state, subscription_arn, subscribe_url, token, updated_at, signed_at"

    public func recordSubscription(_ record: SNSSubscriptionRecord) async throws(StoreError) {
        try await writer.submit { database throws(StoreError) in
            try database.run("""
                INSERT INTO sns_subscriptions (\(Self.subscriptionColumns)) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
                ON CONFLICT (topic_arn, endpoint) DO UPDATE SET state = excluded.state,
                    subscription_arn = excluded.subscription_arn, subscribe_url = excluded.subscribe_url,
                    token = excluded.token, updated_at = excluded.updated_at,
                    signed_at = coalesce(excluded.signed_at, sns_subscriptions.signed_at)
                WHERE excluded.signed_at IS NULL OR sns_subscriptions.signed_at IS NULL
                    OR excluded.signed_at >= sns_subscriptions.signed_at
                """) {
                $0.bind(record.topicArn, at: 1)
                $0.bind(record.endpoint, at: 2)
                $0.bind(record.state.rawValue, at: 3)
                $0.bind(record.subscriptionArn, at: 4)
                $0.bind(record.subscribeURL, at: 5)
                $0.bind(record.token, at: 6)
                $0.bind(record.updatedAt, at: 7)
                $0.bind(record.signedAt, at: 8)
            }
        }
    }

    public func subscriptions() async throws(StoreError) -> [SNSSubscriptionRecord] {
        try await readers.read { database throws(StoreError) in
            try Self.subscriptionRecords("SELECT \(Self.subscriptionColumns) FROM sns_subscriptions ORDER BY topic_arn, endpoint", in: database) { _ in }
        }
    }

    public func subscriptions(topicArn: String) async throws(StoreError) -> [SNSSubscriptionRecord] {
        try await readers.read { database throws(StoreError) in
            try Self.subscriptionRecords(
                "SELECT \(Self.subscriptionColumns) FROM sns_subscriptions WHERE topic_arn = ?1 ORDER BY endpoint", in: database
            ) {
                $0.bind(topicArn, at: 1)
            }
        }
    }

    private static func subscriptionRecords(_ sql: String, in database: Database, bind: (Statement) -> Void) throws(StoreError) -> [SNSSubscriptionRecord] {
        let statement = try database.statement(sql)
        defer { statement.reset() }
        bind(statement)
        var records: [SNSSubscriptionRecord] = []
        while try statement.step() {
            records.append(SNSSubscriptionRecord(
                topicArn: statement.string(at: 0), endpoint: statement.string(at: 1),
                state: SNSSubscriptionState(rawValue: statement.string(at: 2)) ?? .pending,
                subscriptionArn: statement.optionalString(at: 3), subscribeURL: statement.optionalString(at: 4),
                token: statement.optionalString(at: 5), updatedAt: statement.date(at: 6), signedAt: statement.optionalDate(at: 7)
            ))
        }
        return records
    }
}
