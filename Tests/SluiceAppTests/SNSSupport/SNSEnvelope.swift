import SluiceTestSupport
import Foundation
import SluiceCore

/// A test SNS delivery body: JSON fields, signed with a key of `SNSTestPKI`, tamperable after signing.
struct SNSEnvelope {
    var fields: [String: String]

    static let topicArn = "arn:aws:sns:us-east-1:123456789012:sluice-feedback"

    /// `count` signed bounce notifications for `address(i)`, in order; four openssl signers at a time.
    static func signedBounces(_ pki: SNSTestPKI, certURL: String, count: Int, address: @escaping @Sendable (Int) -> String) async throws -> [SNSEnvelope] {
        var envelopes: [SNSEnvelope] = []
        for start in stride(from: 0, to: count, by: 4) {
            try await withThrowingTaskGroup(of: (Int, SNSEnvelope).self) { group in
                for i in start..<min(start + 4, count) {
                    group.addTask { (i, try await signed(pki, certURL: certURL, message: SESPayload.bounce(address(i)))) }
                }
                envelopes += try await group.reduce(into: []) { $0.append($1) }.sorted { $0.0 < $1.0 }.map(\.1)
            }
        }
        return envelopes
    }

    /// A signed message; `mutate` runs before signing (to shape the signed fields).
    static func signed(
        _ pki: SNSTestPKI, type: SNSMessageType = .notification, certURL: String, key: String = "sns", version: String = "2",
        topicArn: String = topicArn, message: String = SESPayload.bounce("bounced@example.com"), subject: String? = nil,
        subscribeURL: String? = nil, token: String? = nil, timestamp: Date = Date(), messageId: String = UUID().uuidString.lowercased()
    ) async throws -> SNSEnvelope {
        var fields: [String: String] = [
            "Type": type.rawValue, "MessageId": messageId, "TopicArn": topicArn, "Message": message,
            "Timestamp": timestampString(timestamp), "SignatureVersion": version, "Signature": "AA==",
            "SigningCertURL": certURL,
        ]
        if type == .notification {
            fields["Subject"] = subject
            fields["UnsubscribeURL"] = "https://sns.us-east-1.amazonaws.com/?Action=Unsubscribe&SubscriptionArn=\(topicArn):1"
        } else {
            fields["SubscribeURL"] = subscribeURL
            fields["Token"] = token
        }
        fields["Signature"] = "AA=="
        let canonical = try SNSMessage.parse(SNSEnvelope(fields: fields).body).canonicalString()
        let digest = version == "1" ? "sha1" : "sha256"
        let signature = try await offPool { try pki.sign(canonical, key: key, digest: digest) }
        fields["Signature"] = Data(signature).base64EncodedString()
        return SNSEnvelope(fields: fields)
    }

    var body: [UInt8] { Array(try! JSONSerialization.data(withJSONObject: fields, options: [.sortedKeys])) }
    var messageId: String { fields["MessageId"] ?? "" }
    var type: String { fields["Type"] ?? "" }

    /// The headers SNS sends with this body.
    var headers: [(String, String)] {
        [("x-amz-sns-message-type", type), ("x-amz-sns-message-id", messageId), ("x-amz-sns-topic-arn", fields["TopicArn"] ?? ""),
         ("Content-Type", "text/plain; charset=UTF-8"), ("User-Agent", "Amazon Simple Notification Service Agent")]
    }

    static func timestampString(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        formatter.timeZone = TimeZone(identifier: "UTC")
        return formatter.string(from: date)
    }
}

/// SES event JSON as SES puts it in an SNS `Message`.
enum SESPayload {
    static func bounce(_ address: String, type: String = "Permanent", subType: String = "General", at date: Date = Date()) -> String {
        let ts = SNSEnvelope.timestampString(date)
        return """
            {"notificationType":"Bounce","bounce":{"bounceType":"\(type)","bounceSubType":"\(subType)","bouncedRecipients":[{"emailAddress":"\(address)","action":"failed","status":"5.1.1","diagnosticCode":"smtp; 550 5.1.1 user unknown"}],"timestamp":"\(ts)","feedbackId":"0100-\(UUID().uuidString)"},"mail":{"timestamp":"\(ts)","source":"sender@example.org","sourceArn":"arn:aws:ses:us-east-1:123456789012:identity/example.org","sendingAccountId":"123456789012","messageId":"ses-\(UUID().uuidString)","destination":["\(address)"]}}
            """
    }

    static func complaint(_ address: String, at date: Date = Date()) -> String {
        let ts = SNSEnvelope.timestampString(date)
        return """
            {"notificationType":"Complaint","complaint":{"complainedRecipients":[{"emailAddress":"\(address)"}],"timestamp":"\(ts)","feedbackId":"0100-\(UUID().uuidString)","complaintFeedbackType":"abuse"},"mail":{"timestamp":"\(ts)","source":"sender@example.org","messageId":"ses-\(UUID().uuidString)","destination":["\(address)"]}}
            """
    }

    static func delivery(_ address: String, at date: Date = Date()) -> String {
        let ts = SNSEnvelope.timestampString(date)
        return """
            {"eventType":"Delivery","delivery":{"timestamp":"\(ts)","processingTimeMillis":512,"recipients":["\(address)"],"smtpResponse":"250 ok","reportingMTA":"a8-1.smtp-out.amazonses.com"},"mail":{"timestamp":"\(ts)","source":"sender@example.org","messageId":"ses-\(UUID().uuidString)","destination":["\(address)"],"tags":{"ses:configuration-set":["main"]}}}
            """
    }
}
