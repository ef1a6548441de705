import Foundation

/// Which SNS messages to trust and which subscriptions to confirm automatically.
///
/// Host rule (certificate and subscribe URLs): a host that mentions `amazonaws` must be exactly
/// `sns.<region>.amazonaws.com[.cn]` for the TopicArn's region and partition, port absent or 443.
/// Any other host is accepted only when a custom `certURLPattern` matches it (certificate URLs) or it is
/// listed in `extraSubscribeHosts` (subscribe URLs); the region check then does not apply. This lets
/// tests point at `https://127.0.0.1:PORT/...` while production keeps the default pattern.
public struct SNSSecurityPolicy: Sendable {
    /// AWS's certificate URL shape, matched against the whole URL string.
    public static let defaultCertURLPattern =
        #"^https://sns\.[a-z0-9-]+\.amazonaws\.com(\.cn)?/SimpleNotificationService-[a-zA-Z0-9]+\.pem$"#

    /// Regex the whole `SigningCertURL` must match (in addition to the structural checks).
    public var certURLPattern: String
    /// Topic ARNs (with `*` wildcards) whose subscriptions may be confirmed automatically; empty = none.
    public var allowedTopicPatterns: [String]
    /// Refuse SignatureVersion 1 (SHA-1).
    public var requireSignatureVersion2: Bool
    /// Oldest acceptable `Timestamp` (SNS retries for at most an hour; default 24 h).
    public var maxAge: TimeInterval
    /// How far `Timestamp` may lie in the future (clock skew; default 5 min).
    public var maxFutureSkew: TimeInterval
    /// Extra exact `host[:port]` authorities accepted for SubscribeURL (test servers only).
    public var extraSubscribeHosts: [String]

    public init(
        certURLPattern: String = SNSSecurityPolicy.defaultCertURLPattern, allowedTopicPatterns: [String] = [],
        requireSignatureVersion2: Bool = false, maxAge: TimeInterval = 24 * 3600, maxFutureSkew: TimeInterval = 300,
        extraSubscribeHosts: [String] = []
    ) {
        self.certURLPattern = certURLPattern
        self.allowedTopicPatterns = allowedTopicPatterns
        self.requireSignatureVersion2 = requireSignatureVersion2
        self.maxAge = maxAge
        self.maxFutureSkew = maxFutureSkew
        self.extraSubscribeHosts = extraSubscribeHosts
    }

    /// Checks the configuration itself (call at startup).
    public func validate() throws(SNSMessageError) {
        _ = try compiledPattern()
        guard maxAge > 0, maxFutureSkew >= 0 else {
            throw SNSMessageError(.invalidConfiguration, "maxAge must be positive and maxFutureSkew non-negative")
        }
    }

    /// Everything to check before fetching a certificate: signature version, certificate URL, timestamp.
    public func checkEnvelope(_ message: SNSMessage, now: Date) throws(SNSMessageError) {
        try checkSignatureVersion(message.signatureVersion)
        try checkCertificateURL(message.signingCertURL, topicArn: message.topicArn)
        try checkTimestamp(message.timestamp, now: now)
    }

    /// Everything to check (after the signature verified) before visiting a SubscribeURL.
    public func checkAutoConfirm(_ message: SNSMessage) throws(SNSMessageError) {
        guard message.type == .subscriptionConfirmation else {
            throw SNSMessageError(.unsupportedMessageType, "only SubscriptionConfirmation is auto-confirmed", field: "Type")
        }
        guard isTopicAllowed(message.topicArn) else {
            throw SNSMessageError(.topicNotAllowed, "TopicArn is not an allowed topic (sns.topic_arns)", field: "TopicArn")
        }
        try checkSubscribeURL(message.subscribeURL ?? "", topicArn: message.topicArn, token: message.token)
    }

    /// Refuses unknown versions, and version 1 when `requireSignatureVersion2` is set.
    public func checkSignatureVersion(_ version: String) throws(SNSMessageError) {
        _ = try SNSMessage.signatureAlgorithm(forVersion: version)
        if requireSignatureVersion2, version != "2" {
            throw SNSMessageError(
                .unsupportedSignatureVersion, "SignatureVersion 2 is required by policy", field: "SignatureVersion")
        }
    }

    /// `Timestamp` must be within `maxAge` in the past and `maxFutureSkew` in the future (edges inclusive).
    public func checkTimestamp(_ timestamp: Date, now: Date) throws(SNSMessageError) {
        let age = now.timeIntervalSince(timestamp)
        if age > maxAge {
            throw SNSMessageError(.stale, "message is \(Int(age)) s old (max \(Int(maxAge)) s)", field: "Timestamp")
        }
        if -age > maxFutureSkew {
            throw SNSMessageError(
                .future, "message is \(Int(-age)) s in the future (max \(Int(maxFutureSkew)) s)", field: "Timestamp")
        }
    }

    /// Whether `arn` matches one of `allowedTopicPatterns` (`*` matches any run of characters).
    public func isTopicAllowed(_ arn: String) -> Bool {
        // Checked for every request: matched on the strings' own UTF-8 storage, no copies.
        var arn = arn
        return arn.withUTF8 { text in
            allowedTopicPatterns.contains { pattern in
                var pattern = pattern
                return pattern.withUTF8 { Self.wildcardMatch(pattern: $0, text: text) }
            }
        }
    }

    /// Whether `arn` is allowed by a pattern that names its AWS account outright. Only such topics are
    /// confirmed automatically: a pattern with a wildcard account (`*`, `arn:aws:sns:*:*:ses-*`) also
    /// matches topics anyone can create in their own account, which SNS signs genuinely; confirming one
    /// would let its owner deliver forged bounces and complaints.
    public func isTopicAllowedForAutoConfirm(_ arn: String) -> Bool {
        allowedTopicPatterns.contains { pattern in
            Self.namesAccount(pattern) && Self.wildcardMatch(pattern: Array(pattern.utf8), text: Array(arn.utf8))
        }
    }

    /// `arn:PARTITION:sns:REGION:ACCOUNT:NAME` with a literal 12-digit account. Topic ARNs hold exactly five
    /// colons (names cannot contain one), so with five literal colons in the pattern no `*` can reach
    /// across a field into the account.
    public static func namesAccount(_ pattern: String) -> Bool {
        let fields = pattern.split(separator: ":", omittingEmptySubsequences: false)
        guard fields.count == 6, fields[0] == "arn", fields[2] == "sns" else { return false }
        return fields[4].utf8.count == 12 && fields[4].utf8.allSatisfy { $0 >= 0x30 && $0 <= 0x39 }
    }

    /// Glob match with `*` only, linear-backtracking (no exponential blow-up).
    static func wildcardMatch(pattern p: [UInt8], text t: [UInt8]) -> Bool {
        p.withUnsafeBufferPointer { p in t.withUnsafeBufferPointer { t in wildcardMatch(pattern: p, text: t) } }
    }

    static func wildcardMatch(pattern p: UnsafeBufferPointer<UInt8>, text t: UnsafeBufferPointer<UInt8>) -> Bool {
        var pi = 0, ti = 0
        var star = -1, mark = 0
        while ti < t.count {
            if pi < p.count, p[pi] != UInt8(ascii: "*"), p[pi] == t[ti] {
                pi += 1
                ti += 1
            } else if pi < p.count, p[pi] == UInt8(ascii: "*") {
                star = pi
                mark = ti
                pi += 1
            } else if star >= 0 {
                pi = star + 1
                mark += 1
                ti = mark
            } else {
                return false
            }
        }
        while pi < p.count, p[pi] == UInt8(ascii: "*") { pi += 1 }
        return pi == p.count
    }

    func compiledPattern() throws(SNSMessageError) -> Regex<AnyRegexOutput> {
        do {
            return try Regex(certURLPattern)
        } catch {
            throw SNSMessageError(.invalidConfiguration, "certURLPattern is not a valid regex", underlying: error)
        }
    }
}
