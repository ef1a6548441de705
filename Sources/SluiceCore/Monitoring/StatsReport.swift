import Foundation

/// Rates overall and per identity over each window, quota use and pause state; JSON field names are snake_case.
public struct StatsReport: Sendable, Equatable, Codable {
    public var generatedAt: Date
    public var minimumVolume: Int
    /// Overall windows in `StatsWindow.allCases` order.
    public var windows: [WindowStats]
    /// One entry per identity seen in the samples, sorted by name.
    public var identities: [IdentityStats]
    public var quota: QuotaUse
    public var paused: PauseStatus

    public init(
        generatedAt: Date, minimumVolume: Int, windows: [WindowStats], identities: [IdentityStats], quota: QuotaUse,
        paused: PauseStatus
    ) {
        self.generatedAt = generatedAt
        self.minimumVolume = minimumVolume
        self.windows = windows
        self.identities = identities
        self.quota = quota
        self.paused = paused
    }

    /// The overall stats of `window`, if computed.
    public func overall(_ window: StatsWindow) -> WindowStats? {
        windows.first { $0.window == window }
    }

    private enum CodingKeys: String, CodingKey {
        case generatedAt = "generated_at", minimumVolume = "minimum_volume", windows, identities, quota, paused
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(generatedAt.ISO8601Format(), forKey: .generatedAt)
        try c.encode(minimumVolume, forKey: .minimumVolume)
        try c.encode(windows, forKey: .windows)
        try c.encode(identities, forKey: .identities)
        try c.encode(quota, forKey: .quota)
        try c.encode(paused, forKey: .paused)
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            generatedAt: try ReportDate.decode(c, .generatedAt), minimumVolume: try c.decode(Int.self, forKey: .minimumVolume),
            windows: try c.decode([WindowStats].self, forKey: .windows),
            identities: try c.decode([IdentityStats].self, forKey: .identities),
            quota: try c.decode(QuotaUse.self, forKey: .quota), paused: try c.decode(PauseStatus.self, forKey: .paused)
        )
    }
}

/// The windows of one sending identity.
public struct IdentityStats: Sendable, Equatable, Codable {
    public var identity: String
    public var windows: [WindowStats]

    public init(identity: String, windows: [WindowStats]) {
        self.identity = identity
        self.windows = windows
    }

    /// The stats of `window`, if computed.
    public func window(_ window: StatsWindow) -> WindowStats? {
        windows.first { $0.window == window }
    }
}
