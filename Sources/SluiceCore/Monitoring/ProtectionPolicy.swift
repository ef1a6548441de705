/// When Sluice pauses its own sending to protect the SES account's reputation.
public struct ProtectionPolicy: Sendable, Equatable, Codable {
    public enum Mode: String, Sendable, Codable, CaseIterable {
        /// Never pause automatically.
        case off
        /// Pause all sending when the account or any identity crosses a threshold.
        case pause
        /// Pause only the identities that cross a threshold; pause all when the overall rates do without them
        /// (no identity crosses, or the rest of the account still does once theirs are taken out).
        case pauseIdentity = "pause_identity"
    }

    /// The complaint rate at which AWS puts an account under review.
    public static let reviewComplaintRate = 0.001
    /// The bounce rate at which AWS puts an account under review.
    public static let reviewBounceRate = 0.05
    /// Within an episode an operator resumed, a rate this many times the one at the last pause pauses again.
    public static let repauseFactor = 1.25

    public var mode: Mode
    /// Pause at a complaint rate at or above this fraction (SES puts accounts under review at 0.1 %).
    public var complaintRateThreshold: Double
    /// Pause at a bounce rate at or above this fraction (SES puts accounts under review at 5 %).
    public var bounceRateThreshold: Double
    /// The window judged; rates below the report's minimum volume or events are never judged.
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
        assess(report).decision
    }

    /// The decision with what it rests on: every scope's finding (breach, clear or not judged) and rates.
    public func assess(_ report: StatsReport) -> ProtectionAssessment {
        var findings: [AlertScope: ProtectionFinding] = [:]
        if let w = report.overall(window) { findings[.overall] = finding(w, scope: "overall") }
        for identity in report.identities {
            if let w = identity.window(window) { findings[.identity(identity.identity)] = finding(w, scope: "identity \(identity.identity)") }
        }
        guard mode != .off else { return ProtectionAssessment(decision: .none, findings: findings) }
        var overallReason: String?
        if case .breach(let reason) = findings[.overall]?.state { overallReason = reason }
        let identities: [IdentityPause] = report.identities.compactMap { identity in
            guard case .breach(let reason) = findings[.identity(identity.identity)]?.state else { return nil }
            return IdentityPause(identity: identity.identity, reason: reason)
        }
        let decision: ProtectionDecision
        switch mode {
        case .off:
            decision = .none
        case .pause:
            if let overallReason {
                decision = .pauseAll(reason: overallReason)
            } else if let first = identities.first {
                let more = identities.count > 1 ? " (and \(identities.count - 1) more identities)" : ""
                decision = .pauseAll(reason: first.reason + more)
            } else {
                decision = .none
            }
        case .pauseIdentity:
            if !identities.isEmpty {
                // Pausing them leaves the rest of the account sending: if the rest breaches on its own, only
                // stopping everything protects the account.
                let rest = overallReason == nil ? nil : report.overall(window).map { remainder($0, without: identities, in: report) }
                if let rest, case .breach(let reason) = finding(rest, scope: "overall without the breaching identities").state {
                    decision = .pauseAll(reason: reason)
                } else {
                    decision = .pauseIdentities(identities)
                }
            } else if let overallReason {
                // The account is at risk but no single identity is to blame (e.g. many small ones): stop everything.
                decision = .pauseAll(reason: overallReason)
            } else {
                decision = .none
            }
        }
        return ProtectionAssessment(decision: decision, findings: findings)
    }

    /// Why `current` is worse than `last` (the rates at the last pause of the episode), or nil when it is not:
    /// a rate at or above its threshold that reached `repauseFactor` times its value then, or that reached
    /// AWS's review level while it was below it then. Nil `last` means the scope did not breach then.
    public func worsened(_ current: BreachRates, since last: BreachRates?) -> String? {
        let metrics: [(String, Double?, Double?, Double, Double)] = [
            ("complaint", current.complaint, last?.complaint, complaintRateThreshold, Self.reviewComplaintRate),
            ("bounce", current.bounce, last?.bounce, bounceRateThreshold, Self.reviewBounceRate),
        ]
        for (name, now, then, threshold, review) in metrics {
            guard let now, now >= threshold else { continue }
            let before = then ?? 0
            if before < review && now >= review {
                return "\(name) rate \(RateFormat.percent(now)) reached AWS's review level of \(RateFormat.percent(review))"
            }
            if now >= before * Self.repauseFactor {
                return last == nil || then == nil
                    ? "\(name) rate \(RateFormat.percent(now)) now breaches too"
                    : "\(name) rate rose to \(RateFormat.percent(now)) from \(RateFormat.percent(before)) at the last pause"
            }
        }
        return nil
    }

    /// The overall window with the sends and events of `identities` taken out.
    private func remainder(_ overall: WindowStats, without identities: [IdentityPause], in report: StatsReport) -> WindowStats {
        let names = Set(identities.map(\.identity))
        return report.identities.filter { names.contains($0.identity) }.compactMap { $0.window(window) }.reduce(overall) { $0.removing($1) }
    }

    /// Breach when a judged rate is at or above its threshold; not judged when the window has too few sends,
    /// or a rate at or above its threshold rests on too few events; else clear.
    private func finding(_ w: WindowStats, scope: String) -> ProtectionFinding {
        let complaint = w.status(.complaint) == .ok ? w.complaintRate : nil
        let bounce = w.status(.bounce) == .ok ? w.bounceRate : nil
        let rates = BreachRates(bounce: bounce, complaint: complaint)
        if let rate = complaint, rate >= complaintRateThreshold {
            return ProtectionFinding(state: .breach(reason: "\(scope) complaint rate \(RateFormat.percent(rate)) over the \(w.name) window "
                + "(\(w.sends) sends) is at or above \(RateFormat.percent(complaintRateThreshold))"), rates: rates)
        }
        if let rate = bounce, rate >= bounceRateThreshold {
            return ProtectionFinding(state: .breach(reason: "\(scope) bounce rate \(RateFormat.percent(rate)) over the \(w.name) window "
                + "(\(w.sends) sends) is at or above \(RateFormat.percent(bounceRateThreshold))"), rates: rates)
        }
        guard w.judged else { return ProtectionFinding(state: .notJudged, rates: rates) }
        let short = (w.status(.complaint) == .insufficientEvents && (w.complaintRate ?? 0) >= complaintRateThreshold)
            || (w.status(.bounce) == .insufficientEvents && (w.bounceRate ?? 0) >= bounceRateThreshold)
        return ProtectionFinding(state: short ? .notJudged : .clear, rates: rates)
    }
}

/// The judged bounce and complaint rates of one scope (nil when that rate is not judged).
public struct BreachRates: Sendable, Equatable, Codable {
    public var bounce: Double?
    public var complaint: Double?

    public init(bounce: Double? = nil, complaint: Double? = nil) {
        self.bounce = bounce
        self.complaint = complaint
    }

    /// Each rate the larger of the two.
    public func merging(_ other: BreachRates) -> BreachRates {
        func larger(_ a: Double?, _ b: Double?) -> Double? {
            guard let a else { return b }
            guard let b else { return a }
            return Swift.max(a, b)
        }
        return BreachRates(bounce: larger(bounce, other.bounce), complaint: larger(complaint, other.complaint))
    }
}
