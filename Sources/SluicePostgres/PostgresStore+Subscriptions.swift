import Foundation
import SluiceCore

extension PostgresStore: SubscriptionStore {
    private static let subscriptionColumns = "topic_arn, endpoint, state, subscription_arn, subscribe_url, token, updated_at, signed_at"

    public func recordSubscription(_ record: SNSSubscriptionRecord) async throws(StoreError) {
        try await write { connection throws(StoreError) in
            _ = try connection.execute("""
                INSERT INTO sns_subscriptions (\(Self.subscriptionColumns)) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
                ON CONFLICT (topic_arn, endpoint) DO UPDATE SET state = excluded.state,
                    subscription_arn = excluded.subscription_arn, subscribe_url = excluded.subscribe_url,
                    token = excluded.token, updated_at = excluded.updated_at,
                    signed_at = coalesce(excluded.signed_at, sns_subscriptions.signed_at)
                WHERE excluded.signed_at IS NULL OR sns_subscriptions.signed_at IS NULL
                    OR excluded.signed_at >= sns_subscriptions.signed_at
                """, [
                    .text(record.topicArn), .text(record.endpoint), .text(record.state.rawValue), .string(record.subscriptionArn),
                    .freeText(record.subscribeURL), .string(record.token), .date(record.updatedAt), .date(record.signedAt),
                ])
        }
    }

    public func subscriptions() async throws(StoreError) -> [SNSSubscriptionRecord] {
        try await read { connection throws(StoreError) in
            Self.records(try connection.execute("SELECT \(Self.subscriptionColumns) FROM sns_subscriptions ORDER BY topic_arn, endpoint"))
        }
    }

    public func subscriptions(topicArn: String) async throws(StoreError) -> [SNSSubscriptionRecord] {
        try await read { connection throws(StoreError) in
            Self.records(try connection.execute(
                "SELECT \(Self.subscriptionColumns) FROM sns_subscriptions WHERE topic_arn = $1 ORDER BY endpoint", [.text(topicArn)]))
        }
    }

    private static func records(_ result: PGResult) -> [SNSSubscriptionRecord] {
        (0..<result.rowCount).map { row in
            SNSSubscriptionRecord(
                topicArn: result.string(row, 0), endpoint: result.string(row, 1),
                state: SNSSubscriptionState(rawValue: result.string(row, 2)) ?? .pending,
                subscriptionArn: result.optionalString(row, 3), subscribeURL: result.optionalString(row, 4),
                token: result.optionalString(row, 5), updatedAt: result.date(row, 6), signedAt: result.optionalDate(row, 7))
        }
    }
}
