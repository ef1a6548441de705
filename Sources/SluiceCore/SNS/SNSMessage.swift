import Foundation

/// An SNS HTTP(S) delivery body (AWS SNS developer guide, "HTTP/HTTPS ... JSON format").
///
/// Parsing checks shape only; trust nothing here until the signature over `canonicalString()` verifies.
public struct SNSMessage: Sendable, Equatable {
    public var type: SNSMessageType
    public var messageId: String
    public var topicArn: String
    /// The published payload's UTF-8 bytes (for SES: the event JSON, read from these bytes).
    public var messageBytes: [UInt8]
    /// The published payload (for SES: the event JSON); a view of `messageBytes`.
    public var message: String {
        get { String(decoding: messageBytes, as: UTF8.self) }
        set { messageBytes = Array(newValue.utf8) }
    }
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
        messageBytes = Array(message.utf8)
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
        let document: JSONDocument
        let root: JSONDocument.Index
        do {
            document = try JSONDocument(body)
            root = try document.rootObject()
        } catch {
            if error.code == .duplicateKey { throw SNSMessageError(.malformed, "body repeats a JSON key", underlying: error) }
            throw SNSMessageError(.malformed, "body is not a JSON object", underlying: error)
        }
        let fields = try Fields(document, root)

        func required(_ field: Field) throws(SNSMessageError) -> JSONDocument.Index {
            guard let value = fields[field] else {
                throw SNSMessageError(.missingField, "required field \(field.name) is missing", field: field.name)
            }
            return value
        }
        func string(_ value: JSONDocument.Index) -> String { document.string(value) ?? "" }
        func requiredString(_ field: Field) throws(SNSMessageError) -> String { string(try required(field)) }
        func aliased(_ field: Field, _ alias: Field) throws(SNSMessageError) -> String? {
            switch (fields[field].map(string), fields[alias].map(string)) {
            case let (a?, b?) where a != b:
                throw SNSMessageError(.malformed, "\(field.name) and \(alias.name) disagree", field: field.name)
            case let (a, b): return a ?? b
            }
        }

        let typeText = try requiredString(.type)
        guard let type = SNSMessageType(rawValue: typeText) else {
            throw SNSMessageError(
                .unsupportedMessageType, "unknown Type \(SNSMessageError.quote(typeText, limit: 40))", field: "Type")
        }
        let messageId = try requiredString(.messageId)
        let topicArn = try requiredString(.topicArn)
        let message = try required(.message)
        let timestampString = try requiredString(.timestamp)
        let signatureVersion = try requiredString(.signatureVersion)
        let signatureText = try requiredString(.signature)
        guard let certURL = try aliased(.signingCertURL, .signingCertUrl) else {
            throw SNSMessageError(.missingField, "required field SigningCertURL is missing", field: "SigningCertURL")
        }
        _ = try signatureAlgorithm(forVersion: signatureVersion)
        guard let timestamp = AWSTimestamp.parseISO8601(timestampString) else {
            throw SNSMessageError(.malformed, "Timestamp is not an ISO 8601 UTC time", field: "Timestamp")
        }
        guard let signature = SignatureBase64.decode(signatureText), !signature.isEmpty else {
            throw SNSMessageError(.malformed, "Signature is not base64", field: "Signature")
        }

        var result = SNSMessage(
            type: type, messageId: messageId, topicArn: topicArn, message: "", timestamp: timestamp,
            timestampString: timestampString, signatureVersion: signatureVersion, signature: signature,
            signingCertURL: certURL)
        // Unescaped once, straight into bytes: the signed string and the SES parser both read these.
        result.messageBytes = document.utf8(message) ?? []
        switch type {
        case .notification:
            result.subject = fields[.subject].map(string)
            result.unsubscribeURL = try aliased(.unsubscribeURL, .unsubscribeUrl)
        case .subscriptionConfirmation, .unsubscribeConfirmation:
            // Both are part of the signed string for these types.
            result.subscribeURL = try requiredString(.subscribeURL)
            result.token = try requiredString(.token)
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
    /// The envelope keys `parse` reads.
    enum Field: Int, CaseIterable {
        case type, messageId, topicArn, message, subject, timestamp, signatureVersion, signature
        case signingCertURL, signingCertUrl, subscribeURL, token, unsubscribeURL, unsubscribeUrl

        var key: StaticString {
            switch self {
            case .type: "Type"
            case .messageId: "MessageId"
            case .topicArn: "TopicArn"
            case .message: "Message"
            case .subject: "Subject"
            case .timestamp: "Timestamp"
            case .signatureVersion: "SignatureVersion"
            case .signature: "Signature"
            case .signingCertURL: "SigningCertURL"
            case .signingCertUrl: "SigningCertUrl"
            case .subscribeURL: "SubscribeURL"
            case .token: "Token"
            case .unsubscribeURL: "UnsubscribeURL"
            case .unsubscribeUrl: "UnsubscribeUrl"
            }
        }

        var name: String { key.description }

        /// `allCases` once (the synthesized property builds a new array per call).
        static let all = Field.allCases
    }

    /// The body's known top-level string fields (14 slots, no hashing); null values are dropped,
    /// other non-strings rejected for known keys, unknown keys ignored.
    struct Fields {
        private var slots = [JSONDocument.Index?](repeating: nil, count: Field.allCases.count)

        init(_ document: JSONDocument, _ object: JSONDocument.Index) throws(SNSMessageError) {
            var slots = self.slots
            try document.forEachMember(object) { (key, value) throws(SNSMessageError) in
                guard let field = Field.all.first(where: { document.keyEquals(key, $0.key) }) else { return }
                switch document.kind(value) {
                case .null: return
                case .string: slots[field.rawValue] = value
                default:
                    throw SNSMessageError(.wrongFieldType, "field \(field.name) is not a string", field: field.name)
                }
            }
            self.slots = slots
        }

        subscript(_ field: Field) -> JSONDocument.Index? { slots[field.rawValue] }
    }
}
