import Foundation

/// A rolling window over which rates are computed.
public enum StatsWindow: String, Sendable, Codable, CaseIterable {
    /// Hours starting in [now − 24 h, now).
    case last24Hours = "24h"
    /// Hours starting in [now − 7 d, now).
    case last7Days = "7d"
    /// The most recent hours that together hold at least `representativeSends` sends.
    case representative
}
