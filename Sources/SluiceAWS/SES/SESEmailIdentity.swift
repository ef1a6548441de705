import Foundation

/// SES v2 `GetEmailIdentity` output: the parts the DNS check reports.
///
/// Enumerated values (`Status`, `SigningAttributesOrigin`, `IdentityType`) are kept as text, so values AWS adds
/// later still parse and are shown as SES sent them.
public struct SESEmailIdentity: Sendable, Equatable {
    /// `DkimAttributes`.
    public struct DKIM: Sendable, Equatable {
        /// `SigningAttributesOrigin`: `AWS_SES` (Easy DKIM), `EXTERNAL` (BYODKIM), or an `AWS_SES_<region>` copy.
        public var origin: String?
        /// `Status`: `PENDING`, `SUCCESS`, `FAILED`, `TEMPORARY_FAILURE` or `NOT_STARTED`.
        public var status: String?
        /// `SigningEnabled`.
        public var signingEnabled: Bool?
        /// `Tokens`: Easy DKIM CNAME tokens (empty for BYODKIM, or before SES made them).
        public var tokens: [String]

        public init(origin: String? = nil, status: String? = nil, signingEnabled: Bool? = nil, tokens: [String] = []) {
            self.origin = origin
            self.status = status
            self.signingEnabled = signingEnabled
            self.tokens = tokens
        }

        /// Easy DKIM: SES made the key and publishes it behind the token CNAMEs. `AWS_SES_<region>` is a
        /// Deterministic Easy DKIM copy of another region's identity, which uses the same CNAME form.
        public var isEasyDKIM: Bool { origin.map { $0 == "AWS_SES" || $0.hasPrefix("AWS_SES_") } ?? false }
    }

    /// `IdentityType`: `DOMAIN`, `EMAIL_ADDRESS` or `MANAGED_DOMAIN`.
    public var identityType: String?
    /// `VerifiedForSendingStatus`.
    public var verifiedForSending: Bool?
    /// `DkimAttributes`; nil when SES sent none.
    public var dkim: DKIM?

    public init(identityType: String? = nil, verifiedForSending: Bool? = nil, dkim: DKIM? = nil) {
        self.identityType = identityType
        self.verifiedForSending = verifiedForSending
        self.dkim = dkim
    }

    /// Most tokens accepted: SES makes three; more means the answer is not what we think it is.
    static let maxTokens = 10

    /// Parses a `GetEmailIdentity` 2xx body. Absent members stay nil; a member of the wrong type, a token
    /// that is not a DNS label, or a body that is not a JSON object makes the answer unusable.
    /// - Throws: `SESError` `.invalidResponse` naming the member at fault (never its value).
    public static func decode(_ body: [UInt8]) throws(SESError) -> SESEmailIdentity {
        // An empty body is not `{}` here: a real answer always carries at least IdentityType.
        guard !body.isEmpty else { throw invalid("empty body") }
        let object = try SESJSON.decodeObject(body, operation: "GetEmailIdentity")
        var identity = SESEmailIdentity()
        identity.identityType = try member(object, "IdentityType", as: String.self)
        identity.verifiedForSending = try member(object, "VerifiedForSendingStatus", as: Bool.self)
        guard let raw = object["DkimAttributes"], !(raw is NSNull) else { return identity }
        guard let attributes = raw as? [String: Any] else { throw invalid("DkimAttributes is not an object") }
        var dkim = DKIM()
        dkim.origin = try member(attributes, "SigningAttributesOrigin", as: String.self)
        dkim.status = try member(attributes, "Status", as: String.self)
        dkim.signingEnabled = try member(attributes, "SigningEnabled", as: Bool.self)
        let tokens = try member(attributes, "Tokens", as: [String].self) ?? []
        guard tokens.count <= maxTokens else { throw invalid("DkimAttributes.Tokens has \(tokens.count) entries") }
        guard tokens.allSatisfy(isDNSLabel) else { throw invalid("DkimAttributes.Tokens holds a value that is not a DNS label") }
        dkim.tokens = tokens
        identity.dkim = dkim
        return identity
    }

    /// `object[name]` as `T`; nil when absent or JSON null.
    private static func member<T>(_ object: [String: Any], _ name: String, as type: T.Type) throws(SESError) -> T? {
        guard let value = object[name], !(value is NSNull) else { return nil }
        guard let typed = value as? T else { throw invalid("\(name) has the wrong type") }
        return typed
    }

    /// A token becomes `<token>._domainkey.<domain>`: one label of letters, digits, `-` or `_` (SES uses base32).
    private static func isDNSLabel(_ token: String) -> Bool {
        !token.isEmpty && token.utf8.count <= 63
            && token.unicodeScalars.allSatisfy { $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || $0 == "-" || $0 == "_") }
    }

    private static func invalid(_ what: String) -> SESError {
        SESError(.invalidResponse, "GetEmailIdentity: \(what)", retry: .permanent)
    }
}
