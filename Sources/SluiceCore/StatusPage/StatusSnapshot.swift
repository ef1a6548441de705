import Foundation

/// Everything the status page shows; the app fills it from the store, the alert state and the gate.
public struct StatusSnapshot: Sendable {
    public var title: String
    public var generatedAt: Date
    /// Rates, quota and pause state.
    public var report: StatsReport
    /// Thresholds used to colour the rates.
    public var thresholds: AlertConfiguration
    /// Chart data, oldest first (see `ChartBucket.series`).
    public var chart: [ChartBucket]
    public var openAlerts: [ActiveAlert]
    /// Active suppressions per reason.
    public var suppressionCounts: [SuppressionReason: Int]
    /// Outbound queue entries per state name (`queued`, `sending`, `failed`...).
    public var queueCounts: [String: Int]

    public init(
        title: String = "Sluice status", generatedAt: Date, report: StatsReport,
        thresholds: AlertConfiguration = AlertConfiguration(), chart: [ChartBucket] = [], openAlerts: [ActiveAlert] = [],
        suppressionCounts: [SuppressionReason: Int] = [:], queueCounts: [String: Int] = [:]
    ) {
        self.title = title
        self.generatedAt = generatedAt
        self.report = report
        self.thresholds = thresholds
        self.chart = chart
        self.openAlerts = openAlerts
        self.suppressionCounts = suppressionCounts
        self.queueCounts = queueCounts
    }
}
