import Foundation
import SluiceCore

/// The wire form of a suppression (snake_case, RFC 3339 UTC timestamps), as in Config/openapi.yaml.
public struct SuppressionWire: Encodable, Equatable {
    var address: String
    var originalAddress: String
    var scope: String
    var reason: String
    var detail: String?
    var firstSeen: String
    var lastSeen: String
    var count: Int
    var source: String
    var expiresAt: String?

    public init(_ s: Suppression) {
        address = s.address
        originalAddress = s.originalAddress
        scope = s.scope
        reason = s.reason.rawValue
        detail = s.detail
        firstSeen = RFC3339.format(s.firstSeen)
        lastSeen = RFC3339.format(s.lastSeen)
        count = s.count
        source = s.source
        expiresAt = s.expiresAt.map(RFC3339.format)
    }

    enum CodingKeys: String, CodingKey {
        case address, scope, reason, detail, count, source
        case originalAddress = "original_address"
        case firstSeen = "first_seen"
        case lastSeen = "last_seen"
        case expiresAt = "expires_at"
    }

    // Explicit nulls: the schema declares detail and expires_at as `[string, "null"]`.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(address, forKey: .address)
        try c.encode(originalAddress, forKey: .originalAddress)
        try c.encode(scope, forKey: .scope)
        try c.encode(reason, forKey: .reason)
        try c.encode(detail, forKey: .detail)
        try c.encode(firstSeen, forKey: .firstSeen)
        try c.encode(lastSeen, forKey: .lastSeen)
        try c.encode(count, forKey: .count)
        try c.encode(source, forKey: .source)
        try c.encode(expiresAt, forKey: .expiresAt)
    }
}

/// `{"suppressions": [...], "next_cursor": "..."|null}`.
public struct SuppressionPageWire: Encodable {
    var suppressions: [SuppressionWire]
    var nextCursor: String?

    public init(_ page: SuppressionPage) {
        suppressions = page.items.map(SuppressionWire.init)
        nextCursor = page.nextCursor?.token
    }

    enum CodingKeys: String, CodingKey {
        case suppressions
        case nextCursor = "next_cursor"
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(suppressions, forKey: .suppressions)
        try c.encode(nextCursor, forKey: .nextCursor)
    }
}

/// `GET /v1/addresses/{address}/history`.
public struct AddressHistoryWire: Encodable {
    public struct Entry: Encodable {
        var kind: String
        var sesMessageId: String
        var timestamp: String
        var identity: String
        var scope: String
        var subtype: String?
        var detail: String?
        var outcome: String
        var source: String
        var recordedAt: String

        init(_ e: HistoryEntry) {
            kind = e.event.kind.rawValue
            sesMessageId = e.event.sesMessageId
            timestamp = RFC3339.format(e.event.timestamp)
            identity = e.event.identity
            scope = e.event.scope
            subtype = e.event.subtype
            detail = e.event.detail
            outcome = e.outcome
            source = e.source
            recordedAt = RFC3339.format(e.recordedAt)
        }

        enum CodingKeys: String, CodingKey {
            case kind, timestamp, identity, scope, subtype, detail, outcome, source
            case sesMessageId = "ses_message_id"
            case recordedAt = "recorded_at"
        }

        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(kind, forKey: .kind)
            try c.encode(sesMessageId, forKey: .sesMessageId)
            try c.encode(timestamp, forKey: .timestamp)
            try c.encode(identity, forKey: .identity)
            try c.encode(scope, forKey: .scope)
            try c.encode(subtype, forKey: .subtype)
            try c.encode(detail, forKey: .detail)
            try c.encode(outcome, forKey: .outcome)
            try c.encode(source, forKey: .source)
            try c.encode(recordedAt, forKey: .recordedAt)
        }
    }

    var address: String
    var suppressions: [SuppressionWire]
    var entries: [Entry]

    public init(_ h: AddressHistory) {
        address = h.address
        suppressions = h.suppressions.map(SuppressionWire.init)
        entries = h.entries.map(Entry.init)
    }
}

/// The optional `PUT /v1/suppressions/{address}` body: `{"reason", "detail", "expires_at"}`.
struct SuppressionPutBody {
    var reason: String?
    var detail: String?
    var expiresAt: String?

    /// Parses `bytes` (empty means all defaults); unknown keys and wrong types are refused.
    static func parse(_ bytes: [UInt8]) throws(SuppressionServiceError) -> SuppressionPutBody {
        var body = SuppressionPutBody()
        if bytes.allSatisfy({ $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }) { return body }
        guard let object = try? JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any] else {
            throw SuppressionServiceError(.invalidBody, "the body must be a JSON object with reason, detail and expires_at")
        }
        // Sorted: which bad field is reported must not depend on the Dictionary's order.
        for (key, value) in object.sorted(by: { $0.key < $1.key }) {
            let text: String?
            switch value {
            case let string as String: text = string
            case is NSNull: text = nil
            default: throw SuppressionServiceError(.invalidBody, "\(key.prefix(64)) must be a string or null")
            }
            switch key {
            // An empty reason or expiry is not "absent" here (that is null or leaving the key out):
            // the document types them as an enum and a date-time, so "" is refused (schemathesis).
            case "reason":
                guard text != "" else { throw SuppressionServiceError(.invalidReason, "reason must not be empty (leave it out for manual)") }
                body.reason = text
            case "detail": body.detail = text
            case "expires_at":
                guard text != "" else { throw SuppressionServiceError(.invalidExpiry, "expires_at must be an RFC 3339 date-time or null") }
                body.expiresAt = text
            default: throw SuppressionServiceError(.invalidBody, "unknown field '\(key.prefix(64))' (allowed: reason, detail, expires_at)")
            }
        }
        return body
    }
}
