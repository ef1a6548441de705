extension SNSMessage {
    /// The exact bytes SNS signed: `key\nvalue\n` for each signed key in order (AWS SNS guide,
    /// "Verifying the signatures of Amazon SNS messages").
    ///
    /// Notification: Message, MessageId, Subject (only if present), Timestamp, TopicArn, Type.
    /// Subscription/UnsubscribeConfirmation: Message, MessageId, SubscribeURL, Timestamp, Token, TopicArn, Type.
    public func canonicalString() -> [UInt8] {
        var out = [UInt8]()
        out.reserveCapacity(message.utf8.count + 512)
        for (key, value) in signedPairs {
            out.append(contentsOf: key.utf8)
            out.append(0x0A)
            out.append(contentsOf: value.utf8)
            out.append(0x0A)
        }
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
