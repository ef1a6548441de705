extension SNSMessage {
    /// The exact bytes SNS signed: `key\nvalue\n` for each signed key in order (AWS SNS guide,
    /// "Verifying the signatures of Amazon SNS messages").
    ///
    /// Notification: Message, MessageId, Subject (only if present), Timestamp, TopicArn, Type.
    /// Subscription/UnsubscribeConfirmation: Message, MessageId, SubscribeURL, Timestamp, Token, TopicArn, Type.
    public func canonicalString() -> [UInt8] {
        // One buffer sized up front, filled from the stored bytes (no pair array, no re-encoding).
        var out = [UInt8]()
        out.reserveCapacity(
            messageBytes.count + messageId.utf8.count + (subject?.utf8.count ?? 0) + timestampString.utf8.count
                + topicArn.utf8.count + (subscribeURL?.utf8.count ?? 0) + (token?.utf8.count ?? 0) + 128)
        func append(_ key: StaticString, _ value: String) {
            out.append(contentsOf: UnsafeBufferPointer(start: key.utf8Start, count: key.utf8CodeUnitCount))
            out.append(0x0A)
            out.append(contentsOf: value.utf8)
            out.append(0x0A)
        }
        out.append(contentsOf: "Message\n".utf8)
        out.append(contentsOf: messageBytes)
        out.append(0x0A)
        append("MessageId", messageId)
        switch type {
        case .notification:
            if let subject { append("Subject", subject) }
            append("Timestamp", timestampString)
        case .subscriptionConfirmation, .unsubscribeConfirmation:
            append("SubscribeURL", subscribeURL ?? "")
            append("Timestamp", timestampString)
            append("Token", token ?? "")
        }
        append("TopicArn", topicArn)
        append("Type", type.rawValue)
        return out
    }

    /// The (key, value) pairs of `canonicalString()`, in order.
    public var signedPairs: [(String, String)] {
        switch type {
        case .notification:
            var pairs = [("Message", message), ("MessageId", messageId)]
            if let subject { pairs.append(("Subject", subject)) }
            pairs += [("Timestamp", timestampString), ("TopicArn", topicArn), ("Type", type.rawValue)]
            return pairs
        case .subscriptionConfirmation, .unsubscribeConfirmation:
            return [
                ("Message", message), ("MessageId", messageId), ("SubscribeURL", subscribeURL ?? ""),
                ("Timestamp", timestampString), ("Token", token ?? ""), ("TopicArn", topicArn),
                ("Type", type.rawValue),
            ]
        }
    }
}
