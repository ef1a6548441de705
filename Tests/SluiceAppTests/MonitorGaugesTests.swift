import Foundation
import SluiceCore
import Testing
@testable import SluiceApp

/// What the monitor's gauges export as the report changes.
struct MonitorGaugesTests {
    static func report(max24h: Double?) -> StatsReport {
        StatsReport(
            generatedAt: Date(timeIntervalSince1970: 1_800_000_000), minimumVolume: 0, windows: [], identities: [],
            quota: QuotaUse(sent24h: 250, max24h: max24h), paused: PauseStatus())
    }

    /// The README's contract: absent while the quota is unknown or unlimited, also after it was known.
    @Test func quotaUseIsDroppedWhenTheQuotaBecomesUnknown() {
        let gauges = MonitorGauges(metrics: AppMetrics(registry: MetricsRegistry()))
        gauges.update(report: Self.report(max24h: 1000), alerts: AlertState())
        #expect(gauges.metrics.registry.render().contains("sluice_quota_use_ratio 0.25\n"))
        for unknown in [nil, -1.0] {
            gauges.update(report: Self.report(max24h: unknown), alerts: AlertState())
            #expect(!gauges.metrics.registry.render().contains("sluice_quota_use_ratio"), "max24h \(String(describing: unknown))")
        }
        gauges.update(report: Self.report(max24h: 500), alerts: AlertState())
        #expect(gauges.metrics.registry.render().contains("sluice_quota_use_ratio 0.5\n"))
    }
}
