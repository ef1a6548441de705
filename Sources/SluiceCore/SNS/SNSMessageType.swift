/// The three kinds of SNS HTTP(S) deliveries.
public enum SNSMessageType: String, Sendable, CaseIterable {
    case notification = "Notification"
    case subscriptionConfirmation = "SubscriptionConfirmation"
    case unsubscribeConfirmation = "UnsubscribeConfirmation"
}

/// The RSA signature scheme named by `SignatureVersion`.
public enum SNSSignatureAlgorithm: String, Sendable {
    /// SignatureVersion 1: RSA PKCS#1 v1.5 with SHA-1.
    case rsaSHA1
    /// SignatureVersion 2: RSA PKCS#1 v1.5 with SHA-256.
    case rsaSHA256
}
