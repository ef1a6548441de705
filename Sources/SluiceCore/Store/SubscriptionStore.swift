import Foundation

/// SNS subscriptions per topic and endpoint.
public protocol SubscriptionStore: Sendable {
    /// Inserts or replaces the record of `(record.topicArn, record.endpoint)`, unless the stored one comes
    /// from a newer message (`signedAt`); the stored `signedAt` stays when the new record has none.
    func recordSubscription(_ record: SNSSubscriptionRecord) async throws(StoreError)
    /// Every record, ordered by topic ARN, then endpoint.
    func subscriptions() async throws(StoreError) -> [SNSSubscriptionRecord]
    /// The records of one topic, one per endpoint, ordered by endpoint.
    func subscriptions(topicArn: String) async throws(StoreError) -> [SNSSubscriptionRecord]
}

extension SubscriptionStore {
    /// The record of `topicArn` at `endpoint`; without one, the topic's first (by endpoint name).
    public func subscription(topicArn: String, endpoint: String? = nil) async throws(StoreError) -> SNSSubscriptionRecord? {
        try await subscriptions(topicArn: topicArn).first { endpoint == nil || $0.endpoint == endpoint }
    }
}

extension SNSSubscriptionRecord {
    /// Whether `self` may replace `stored`: not when both come from messages and `stored`'s is newer.
    public func mayReplace(_ stored: SNSSubscriptionRecord) -> Bool {
        guard let signedAt, let storedAt = stored.signedAt else { return true }
        return signedAt >= storedAt
    }
}
