import Foundation

/// Whether Sluice's send gate is paused, as the app knows it.
public struct PauseStatus: Sendable, Equatable, Codable {
    /// The whole gate is paused.
    public var paused: Bool
    public var reason: String?
    public var since: Date?
    /// Identities paused individually.
    public var identities: [String]

    public init(paused: Bool = false, reason: String? = nil, since: Date? = nil, identities: [String] = []) {
        self.paused = paused
        self.reason = reason
        self.since = since
        self.identities = identities
    }

    /// Nothing paused.
    public static let notPaused = PauseStatus()

    private enum CodingKeys: String, CodingKey { case paused, reason, since, identities }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(paused, forKey: .paused)
        try c.encode(reason, forKey: .reason)
        try c.encode(since?.ISO8601Format(), forKey: .since)
        try c.encode(identities, forKey: .identities)
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            paused: try c.decode(Bool.self, forKey: .paused), reason: try c.decodeIfPresent(String.self, forKey: .reason),
            since: try ReportDate.decodeIfPresent(c, .since), identities: try c.decodeIfPresent([String].self, forKey: .identities) ?? []
        )
    }
}
