import Foundation

/// SNS subscriptions per topic.
public protocol SubscriptionStore: Sendable {
    /// Inserts or replaces the record of `record.topicArn`.
    func recordSubscription(_ record: SNSSubscriptionRecord) async throws(StoreError)
    /// Every record, ordered by topic ARN.
    func subscriptions() async throws(StoreError) -> [SNSSubscriptionRecord]
    func subscription(topicArn: String) async throws(StoreError) -> SNSSubscriptionRecord?
}
