/// When Sluice pauses its own sending to protect the SES account's reputation.
public struct ProtectionPolicy: Sendable, Equatable, Codable {
    public enum Mode: String, Sendable, Codable, CaseIterable {
        /// Never pause automatically.
        case off
        /// Pause all sending when the account or any identity crosses a threshold.
        case pause
        /// Pause only the identities that cross a threshold; pause all when only the overall rates do.
        case pauseIdentity = "pause_identity"
    }

    public var mode: Mode
    /// Pause at a complaint rate at or above this fraction (SES puts accounts under review at 0.1 %).
    public var complaintRateThreshold: Double
    /// Pause at a bounce rate at or above this fraction (SES puts accounts under review at 5 %).
    public var bounceRateThreshold: Double
    /// The window judged; rates below the report's minimum volume are never judged.
    public var window: StatsWindow

    public init(mode: Mode = .off, complaintRateThreshold: Double = 0.001, bounceRateThreshold: Double = 0.05,
                window: StatsWindow = .representative) {
        self.mode = mode
        self.complaintRateThreshold = complaintRateThreshold
        self.bounceRateThreshold = bounceRateThreshold
        self.window = window
    }

    /// Decides from a report whether to pause all sending, some identities, or nothing.
    public func decide(_ report: StatsReport) -> ProtectionDecision {
        guard mode != .off else { return .none }
        let overallReason = report.overall(window).flatMap { breach($0, scope: "overall") }
        let identities: [IdentityPause] = report.identities.compactMap { identity in
            guard let w = identity.window(window), let reason = breach(w, scope: "identity \(identity.identity)") else { return nil }
            return IdentityPause(identity: identity.identity, reason: reason)
        }
        switch mode {
        case .off:
            return .none
        case .pause:
            if let overallReason { return .pauseAll(reason: overallReason) }
            if let first = identities.first {
                let more = identities.count > 1 ? " (and \(identities.count - 1) more identities)" : ""
                return .pauseAll(reason: first.reason + more)
            }
            return .none
        case .pauseIdentity:
            if !identities.isEmpty { return .pauseIdentities(identities) }
            // The account is at risk but no single identity is to blame (e.g. many small ones): stop everything.
            if let overallReason { return .pauseAll(reason: overallReason) }
            return .none
        }
    }

    /// The reason text when `w` is judged and at or above a threshold.
    private func breach(_ w: WindowStats, scope: String) -> String? {
        if case .value(let rate) = w.reading(.complaint), rate >= complaintRateThreshold {
            return "\(scope) complaint rate \(RateFormat.percent(rate)) over the \(w.name) window (\(w.sends) sends) "
                + "is at or above \(RateFormat.percent(complaintRateThreshold))"
        }
        if case .value(let rate) = w.reading(.bounce), rate >= bounceRateThreshold {
            return "\(scope) bounce rate \(RateFormat.percent(rate)) over the \(w.name) window (\(w.sends) sends) "
                + "is at or above \(RateFormat.percent(bounceRateThreshold))"
        }
        return nil
    }
}
