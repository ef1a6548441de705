/// One parsed import row: raw field texts, not yet validated (the service normalises and checks them).
public struct ImportRow: Sendable, Equatable {
    /// 1-based line where the row starts.
    public var line: Int
    public var address: String
    public var reason: String?
    public var detail: String?
    public var expiresAt: String?
    public var scope: String?
    public var originalAddress: String?
    public var firstSeen: String?
    public var lastSeen: String?
    public var count: String?
    public var source: String?

    public init(
        line: Int, address: String, reason: String? = nil, detail: String? = nil, expiresAt: String? = nil,
        scope: String? = nil, originalAddress: String? = nil, firstSeen: String? = nil, lastSeen: String? = nil,
        count: String? = nil, source: String? = nil
    ) {
        self.line = line
        self.address = address
        self.reason = reason
        self.detail = detail
        self.expiresAt = expiresAt
        self.scope = scope
        self.originalAddress = originalAddress
        self.firstSeen = firstSeen
        self.lastSeen = lastSeen
        self.count = count
        self.source = source
    }
}

/// What the parser made of one record: a row, or why the record at `line` was rejected.
public enum ImportRowResult: Sendable, Equatable {
    case row(ImportRow)
    case invalid(line: Int, message: String)
}

/// The column names a CSV header or JSON line may use; a CSV header starts with `address`.
public enum ImportColumn: String, Sendable, CaseIterable {
    case address, reason, detail, scope, source, count
    case expiresAt = "expires_at"
    case originalAddress = "original_address"
    case firstSeen = "first_seen"
    case lastSeen = "last_seen"

    /// Columns of a header-less CSV file, in order.
    public static let positional: [ImportColumn] = [.address, .reason, .detail, .expiresAt]

    /// Stores `value` (nil or empty means absent) into the matching field of `row`.
    func assign(_ value: String?, to row: inout ImportRow) {
        let value = value.flatMap { $0.isEmpty ? nil : $0 }
        switch self {
        case .address: row.address = value ?? ""
        case .reason: row.reason = value
        case .detail: row.detail = value
        case .expiresAt: row.expiresAt = value
        case .scope: row.scope = value
        case .originalAddress: row.originalAddress = value
        case .firstSeen: row.firstSeen = value
        case .lastSeen: row.lastSeen = value
        case .count: row.count = value
        case .source: row.source = value
        }
    }
}
