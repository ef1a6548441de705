import Foundation

/// A validated message as kept in the queue: sendable addresses (IDNA domains), checked headers and tags.
public struct OutboundMessage: Sendable, Equatable, Codable {
    /// An extra header SES adds to a simple message.
    public struct Header: Sendable, Equatable, Codable {
        public var name: String
        public var value: String
        public init(name: String, value: String) {
            self.name = name
            self.value = value
        }
    }

    /// An SES `EmailTags` entry.
    public struct Tag: Sendable, Equatable, Codable {
        public var name: String
        public var value: String
        public init(name: String, value: String) {
            self.name = name
            self.value = value
        }
    }

    /// The From header value: `addr` or `Name <addr>` (name RFC 2047-encoded when not ASCII).
    public var from: String
    /// The bare sender address (a verified SES identity).
    public var fromAddress: String
    public var to: [String]
    public var cc: [String]
    public var bcc: [String]
    public var replyTo: [String]
    public var subject: String?
    public var text: String?
    public var html: String?
    public var headers: [Header]
    public var tags: [Tag]
    public var configurationSet: String?
    /// The MIME message for raw sends.
    public var raw: Data?
    /// Bulk mail (gets one-click unsubscribe headers at accept time).
    public var bulk: Bool? = nil
    /// Suppression scope checked besides global suppressions (`MessageRequest.list`).
    public var list: String? = nil

    public init(
        from: String, fromAddress: String, to: [String] = [], cc: [String] = [], bcc: [String] = [],
        replyTo: [String] = [], subject: String? = nil, text: String? = nil, html: String? = nil,
        headers: [Header] = [], tags: [Tag] = [], configurationSet: String? = nil, raw: Data? = nil
    ) {
        self.from = from
        self.fromAddress = fromAddress
        self.to = to
        self.cc = cc
        self.bcc = bcc
        self.replyTo = replyTo
        self.subject = subject
        self.text = text
        self.html = html
        self.headers = headers
        self.tags = tags
        self.configurationSet = configurationSet
        self.raw = raw
    }

    /// Every recipient (to, cc, bcc) in order.
    public var recipients: [String] { to + cc + bcc }

    /// The sending identity used for counters and identity pauses: the From domain, lower-cased.
    public var identity: String {
        guard let at = fromAddress.lastIndex(of: "@") else { return "" }
        return fromAddress[fromAddress.index(after: at)...].lowercased()
    }

    /// The same message without the given recipients (matched exactly in sendable form).
    public func removing(_ dropped: Set<String>) -> OutboundMessage {
        var copy = self
        copy.to.removeAll { dropped.contains($0) }
        copy.cc.removeAll { dropped.contains($0) }
        copy.bcc.removeAll { dropped.contains($0) }
        return copy
    }
}

/// A recipient removed before sending, and why.
public struct DroppedRecipient: Sendable, Equatable, Codable {
    public var address: String
    /// A `SuppressionReason` raw value.
    public var reason: String

    public init(address: String, reason: String) {
        self.address = address
        self.reason = reason
    }
}
