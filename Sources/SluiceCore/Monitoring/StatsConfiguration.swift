import Foundation

/// Settings for `DeliverabilityStats`: representative volume and the minimum volume for judging a rate.
public struct StatsConfiguration: Sendable, Equatable, Codable {
    /// Sends that make up the "representative volume" window (SES judges reputation over such a volume).
    public var representativeSends: Int
    /// Below this many sends in a window its rates are reported but not judged.
    public var minimumVolume: Int
    /// How far back the representative window may walk when volume is low.
    public var representativeMaxLookback: TimeInterval
    /// Below this many events (hard bounces, complaints) a bounce or complaint rate is reported but cannot
    /// breach a threshold: at low volume one complaint is a rate far above any threshold.
    public var minimumEvents: Int

    public init(
        representativeSends: Int = 10_000, minimumVolume: Int = 100, representativeMaxLookback: TimeInterval = 90 * 86_400,
        minimumEvents: Int = 3
    ) {
        self.representativeSends = max(1, representativeSends)
        self.minimumVolume = max(1, minimumVolume)
        self.representativeMaxLookback = representativeMaxLookback
        self.minimumEvents = max(1, minimumEvents)
    }
}
