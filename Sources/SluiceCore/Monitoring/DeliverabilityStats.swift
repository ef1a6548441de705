import Foundation

/// Computes sends, feedback totals and rates from hourly counter samples; pure, time is passed in.
///
/// Window membership is by bucket start: a sample belongs to a window [start, now) when
/// `start <= hourStart < now`. So with `now` on an hour boundary, the hour starting exactly at
/// `now − 24h` is in the 24 h window and the hour starting at `now` is not.
public struct DeliverabilityStats: Sendable {
    public var configuration: StatsConfiguration

    public init(configuration: StatsConfiguration = StatsConfiguration()) {
        self.configuration = configuration
    }

    /// The full report: every window overall and per identity, quota use and pause state.
    public func report(
        samples: [CounterSample], now: Date, quota: SendQuota? = nil, paused: PauseStatus = .notPaused
    ) -> StatsReport {
        let past = samples.filter { $0.hourStart < now && $0.count > 0 }
        let overall = StatsWindow.allCases.map { window($0, pastSamples: past, now: now) }
        let byIdentity = Dictionary(grouping: past, by: \.identity)
        let identities = byIdentity.keys.sorted().map { id in
            IdentityStats(identity: id, windows: StatsWindow.allCases.map { window($0, pastSamples: byIdentity[id] ?? [], now: now) })
        }
        // Quota use errs high: the hour that straddles now − 24 h counts whole (its sends may be inside), and
        // SES's own figure (which also counts mail sent outside the gate, but not since it was read) is
        // taken only when it is the larger.
        let quotaStart = HourMath.floor(now.addingTimeInterval(-86_400))
        let counted = past.reduce(0) { $1.kind == .send && $1.hourStart >= quotaStart ? $0 + $1.count : $0 }
        let sent = max(counted, quota?.sentLast24Hours.map { Int($0.rounded()) } ?? 0)
        return StatsReport(
            generatedAt: now, minimumVolume: configuration.minimumVolume, windows: overall, identities: identities,
            quota: QuotaUse(sent24h: sent, max24h: quota?.max24HourSend), paused: paused
        )
    }

    /// One window over `samples` (pass one identity's samples for per-identity stats).
    public func window(_ window: StatsWindow, samples: [CounterSample], now: Date) -> WindowStats {
        self.window(window, pastSamples: samples.filter { $0.hourStart < now && $0.count > 0 }, now: now)
    }

    private func window(_ window: StatsWindow, pastSamples: [CounterSample], now: Date) -> WindowStats {
        let start: Date
        switch window {
        case .last24Hours: start = now.addingTimeInterval(-86_400)
        case .last7Days: start = now.addingTimeInterval(-7 * 86_400)
        case .representative: start = representativeStart(pastSamples, now: now)
        }
        var stats = WindowStats(
            window: window, start: start, end: now, minimumVolume: configuration.minimumVolume,
            minimumEvents: configuration.minimumEvents
        )
        for sample in pastSamples where sample.hourStart >= start {
            stats.add(sample)
        }
        return stats
    }

    /// Walks hours backwards from `now` until `representativeSends` sends are covered.
    private func representativeStart(_ pastSamples: [CounterSample], now: Date) -> Date {
        let floor = now.addingTimeInterval(-configuration.representativeMaxLookback)
        var sendsByHour: [Date: Int] = [:]
        for s in pastSamples where s.kind == .send && s.hourStart >= floor {
            sendsByHour[s.hourStart, default: 0] += s.count
        }
        var covered = 0
        for hour in sendsByHour.keys.sorted(by: >) {
            covered += sendsByHour[hour] ?? 0
            if covered >= configuration.representativeSends { return hour }
        }
        // Not enough volume in the lookback: everything within it is the representative volume.
        return floor
    }
}
