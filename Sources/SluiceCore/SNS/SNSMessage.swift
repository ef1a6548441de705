import Foundation

/// An SNS HTTP(S) delivery body (AWS SNS developer guide, "HTTP/HTTPS ... JSON format").
///
/// Parsing checks shape only; trust nothing here until the signature over `canonicalString()` verifies.
public struct SNSMessage: Sendable, Equatable {
    public var type: SNSMessageType
    public var messageId: String
    public var topicArn: String
    /// The published payload (for SES: the event JSON, decoded a second time by the caller).
    public var message: String
    /// Present only when a subject was published (absent or JSON null → nil).
    public var subject: String?
    public var timestamp: Date
    /// `Timestamp` exactly as sent; the signed string uses this, not a re-formatted date.
    public var timestampString: String
    /// `"1"` or `"2"`.
    public var signatureVersion: String
    /// The base64-decoded signature.
    public var signature: [UInt8]
    /// `SigningCertURL` (Lambda spelling `SigningCertUrl`).
    public var signingCertURL: String
    /// SubscriptionConfirmation / UnsubscribeConfirmation only.
    public var subscribeURL: String?
    /// SubscriptionConfirmation / UnsubscribeConfirmation only.
    public var token: String?
    /// Notification only (Lambda spelling `UnsubscribeUrl`); unsigned.
    public var unsubscribeURL: String?

    public init(
        type: SNSMessageType, messageId: String, topicArn: String, message: String, subject: String? = nil,
        timestamp: Date, timestampString: String, signatureVersion: String, signature: [UInt8],
        signingCertURL: String, subscribeURL: String? = nil, token: String? = nil, unsubscribeURL: String? = nil
    ) {
        self.type = type
        self.messageId = messageId
        self.topicArn = topicArn
        self.message = message
        self.subject = subject
        self.timestamp = timestamp
        self.timestampString = timestampString
        self.signatureVersion = signatureVersion
        self.signature = signature
        self.signingCertURL = signingCertURL
        self.subscribeURL = subscribeURL
        self.token = token
        self.unsubscribeURL = unsubscribeURL
    }

    /// The RSA scheme for `signatureVersion` (validated by `parse`).
    public var signatureAlgorithm: SNSSignatureAlgorithm {
        signatureVersion == "2" ? .rsaSHA256 : .rsaSHA1
    }

    /// Maps `SignatureVersion` to its algorithm: "1" → SHA-1, "2" → SHA-256, anything else throws.
    public static func signatureAlgorithm(forVersion version: String) throws(SNSMessageError) -> SNSSignatureAlgorithm {
        switch version {
        case "1": return .rsaSHA1
        case "2": return .rsaSHA256
        default:
            throw SNSMessageError(
                .unsupportedSignatureVersion, "SignatureVersion \(SNSMessageError.quote(version, limit: 8)) is not 1 or 2",
                field: "SignatureVersion")
        }
    }

    /// Parses the HTTP body. The caller bounds its size (SNS sends at most 256 KiB).
    public static func parse(_ body: [UInt8]) throws(SNSMessageError) -> SNSMessage {
        // The reader refuses duplicate keys: which one "wins" differs between JSON parsers, and the
        // signed value must be the value every later reader sees.
        let object: JSONObject
        do {
            object = try JSONReader().parseObject(body)
        } catch {
            if error.code == .duplicateKey { throw SNSMessageError(.malformed, "body repeats a JSON key", underlying: error) }
            throw SNSMessageError(.malformed, "body is not a JSON object", underlying: error)
        }
        let fields = try stringFields(object)

        func required(_ key: String) throws(SNSMessageError) -> String {
            guard let value = fields[key] else {
                throw SNSMessageError(.missingField, "required field \(key) is missing", field: key)
            }
            return value
        }
        func aliased(_ key: String, _ alias: String) throws(SNSMessageError) -> String? {
            switch (fields[key], fields[alias]) {
            case let (a?, b?) where a != b:
                throw SNSMessageError(.malformed, "\(key) and \(alias) disagree", field: key)
            case let (a, b): return a ?? b
            }
        }

        let typeText = try required("Type")
        guard let type = SNSMessageType(rawValue: typeText) else {
            throw SNSMessageError(
                .unsupportedMessageType, "unknown Type \(SNSMessageError.quote(typeText, limit: 40))", field: "Type")
        }
        let messageId = try required("MessageId")
        let topicArn = try required("TopicArn")
        let message = try required("Message")
        let timestampString = try required("Timestamp")
        let signatureVersion = try required("SignatureVersion")
        let signatureText = try required("Signature")
        guard let certURL = try aliased("SigningCertURL", "SigningCertUrl") else {
            throw SNSMessageError(.missingField, "required field SigningCertURL is missing", field: "SigningCertURL")
        }
        _ = try signatureAlgorithm(forVersion: signatureVersion)
        guard let timestamp = AWSTimestamp.parseISO8601(timestampString) else {
            throw SNSMessageError(.malformed, "Timestamp is not an ISO 8601 UTC time", field: "Timestamp")
        }
        guard let signature = Data(base64Encoded: signatureText), !signature.isEmpty else {
            throw SNSMessageError(.malformed, "Signature is not base64", field: "Signature")
        }

        var result = SNSMessage(
            type: type, messageId: messageId, topicArn: topicArn, message: message, timestamp: timestamp,
            timestampString: timestampString, signatureVersion: signatureVersion, signature: Array(signature),
            signingCertURL: certURL)
        switch type {
        case .notification:
            result.subject = fields["Subject"]
            result.unsubscribeURL = try aliased("UnsubscribeURL", "UnsubscribeUrl")
        case .subscriptionConfirmation, .unsubscribeConfirmation:
            // Both are part of the signed string for these types.
            result.subscribeURL = try required("SubscribeURL")
            result.token = try required("Token")
        }
        return result
    }

    /// Checks the unsigned `x-amz-sns-*` headers against the body (nil = header absent, not checked).
    public func checkHeaders(messageType: String?, messageId: String?, topicArn: String?) throws(SNSMessageError) {
        if let messageType, messageType != type.rawValue {
            throw SNSMessageError(
                .typeHeaderMismatch,
                "x-amz-sns-message-type \(SNSMessageError.quote(messageType, limit: 40)) differs from Type \(type.rawValue)")
        }
        if let messageId, messageId != self.messageId {
            throw SNSMessageError(.headerMismatch, "x-amz-sns-message-id differs from MessageId")
        }
        if let topicArn, topicArn != self.topicArn {
            throw SNSMessageError(.headerMismatch, "x-amz-sns-topic-arn differs from TopicArn")
        }
    }
}

extension SNSMessage {
    static let knownFields: Set<String> = [
        "Type", "MessageId", "TopicArn", "Message", "Subject", "Timestamp", "SignatureVersion", "Signature",
        "SigningCertURL", "SigningCertUrl", "SubscribeURL", "Token", "UnsubscribeURL", "UnsubscribeUrl",
    ]

    /// The body's top-level string fields; null values are dropped, other non-strings rejected for known keys.
    fileprivate static func stringFields(_ object: JSONObject) throws(SNSMessageError) -> [String: String] {
        var values: [String: String] = [:]
        values.reserveCapacity(object.members.count)
        for member in object.members where knownFields.contains(member.key) {
            switch member.value {
            case .null: continue
            case .string(let value): values[member.key] = value
            default:
                throw SNSMessageError(.wrongFieldType, "field \(member.key) is not a string", field: member.key)
            }
        }
        return values
    }
}
