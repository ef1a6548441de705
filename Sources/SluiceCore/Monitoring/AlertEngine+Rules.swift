import Foundation

extension AlertEngine {
    /// Runs every rule; returns one observation per rule and scope judged (holding or clear).
    /// - Parameter feedbackSilenceArmed: the rule was armed in an earlier evaluation (see `feedbackSilenceArmedSince`).
    func observe(inputs: AlertInputs, stats: StatsReport, now: Date, feedbackSilenceArmed: Bool = false) -> [AlertObservation] {
        var out: [AlertObservation] = []
        let window = configuration.rateWindow
        if let overall = stats.overall(window) {
            out += rateObservations(overall, scope: .overall)
        }
        for identity in stats.identities {
            if let w = identity.window(window) {
                out += rateObservations(w, scope: .identity(identity.identity))
            }
        }
        out += volumeObservation(inputs.samples, now: now).map { [$0] } ?? []
        out += quotaObservation(stats.quota, known: inputs.quota != nil).map { [$0] } ?? []
        out += feedbackSilenceObservation(inputs, now: now, armedBefore: feedbackSilenceArmed).map { [$0] } ?? []
        out += signalObservations(inputs.signals)
        return out
    }

    // MARK: Rates

    func rateObservations(_ w: WindowStats, scope: AlertScope) -> [AlertObservation] {
        let c = configuration
        var out = [
            upperRate(w, .bounce, rule: .bounceRate, scope: scope, warning: c.bounceRateWarning, critical: c.bounceRateCritical),
            upperRate(w, .complaint, rule: .complaintRate, scope: scope, warning: c.complaintRateWarning, critical: c.complaintRateCritical),
        ]
        if let warning = c.deliveryRateWarning {
            out.append(deliveryRate(w, scope: scope, warning: warning))
        }
        return out
    }

    private func upperRate(
        _ w: WindowStats, _ metric: RateMetric, rule: AlertRule, scope: AlertScope, warning: Double?, critical: Double?
    ) -> AlertObservation {
        let label = "\(metric.rawValue) rate"
        switch w.reading(metric) {
        case .insufficientVolume(let sends, let minimum):
            return AlertObservation(
                rule: rule, scope: scope, severity: nil, value: w.rate(metric), threshold: warning ?? critical,
                message: "\(label) not judged: \(sends) sends in the \(w.name) window, below the minimum of \(minimum)",
                judged: false
            )
        case .value(let v):
            let summary = "\(label) \(RateFormat.percent(v)) over the \(w.name) window (\(w.sends) sends)"
            // Too few events to call a breach (one complaint in 500 sends is 0.2 %). A rate that is clear anyway
            // is judged clear as usual; one that would breach or sits near the threshold is not judged.
            if w.status(metric) == .insufficientEvents, let boundary = warning ?? critical, v > boundary * (1 - configuration.clearMargin) {
                let events = metric == .bounce ? "hard bounces" : "complaints"
                return AlertObservation(
                    rule: rule, scope: scope, severity: nil, value: v, threshold: warning ?? critical,
                    message: "\(summary) not judged: \(w.events(metric)) \(events), below the minimum of \(w.minimumEvents)",
                    judged: false
                )
            }
            if let critical, v > critical {
                return AlertObservation(rule: rule, scope: scope, severity: .critical, value: v, threshold: critical,
                                        message: "\(summary) is above \(RateFormat.percent(critical))")
            }
            if let warning, v > warning {
                return AlertObservation(rule: rule, scope: scope, severity: .warning, value: v, threshold: warning,
                                        message: "\(summary) is above \(RateFormat.percent(warning))")
            }
            return AlertObservation(rule: rule, scope: scope, severity: nil, value: v, threshold: warning ?? critical,
                                    message: "\(summary) is within limits", withinClearMargin: nearUpper(v, warning ?? critical))
        }
    }

    /// A clear value above `threshold` less the clear margin: an open alert on it stays open.
    private func nearUpper(_ value: Double, _ threshold: Double?) -> Bool {
        guard let threshold else { return false }
        return value > threshold * (1 - configuration.clearMargin)
    }

    /// A clear value below `threshold` plus the clear margin: an open alert on it stays open.
    private func nearLower(_ value: Double, _ threshold: Double?) -> Bool {
        guard let threshold else { return false }
        return value < threshold * (1 + configuration.clearMargin)
    }

    private func deliveryRate(_ w: WindowStats, scope: AlertScope, warning: Double) -> AlertObservation {
        switch w.reading(.delivery) {
        case .insufficientVolume(let sends, let minimum):
            return AlertObservation(
                rule: .deliveryRate, scope: scope, severity: nil, value: w.deliveryRate, threshold: warning,
                message: "delivery rate not judged: \(sends) sends in the \(w.name) window, below the minimum of \(minimum)",
                judged: false
            )
        case .value(let v):
            // No delivery events at all means delivery notifications are not configured, not that nothing arrived.
            guard w.deliveries > 0 else {
                return AlertObservation(rule: .deliveryRate, scope: scope, severity: nil, value: nil, threshold: warning,
                                        message: "delivery rate not judged: no delivery events in the \(w.name) window",
                                        judged: false)
            }
            let summary = "delivery rate \(RateFormat.percent(v)) over the \(w.name) window (\(w.sends) sends)"
            if v < warning {
                return AlertObservation(rule: .deliveryRate, scope: scope, severity: .warning, value: v, threshold: warning,
                                        message: "\(summary) is below \(RateFormat.percent(warning))")
            }
            // The margin applies to the shortfall: at 95 % the allowed 5 % must shrink by the margin.
            return AlertObservation(rule: .deliveryRate, scope: scope, severity: nil, value: v, threshold: warning,
                                    message: "\(summary) is within limits", withinClearMargin: nearUpper(1 - v, 1 - warning))
        }
    }

    // MARK: Volume

    /// Compares the last complete hour's sends with the median of the same hour on each of the previous 7 days.
    func volumeObservation(_ samples: [CounterSample], now: Date) -> AlertObservation? {
        let c = configuration
        guard c.volumeLowRatio != nil || c.volumeHighRatio != nil else { return nil }
        let lastHour = HourMath.floor(now).addingTimeInterval(-HourMath.hour)
        var sendsByHour: [Date: Int] = [:]
        for s in samples where s.kind == .send {
            sendsByHour[s.hourStart, default: 0] += s.count
        }
        let current = sendsByHour[lastHour] ?? 0
        let history = (1...7).map { sendsByHour[lastHour.addingTimeInterval(-Double($0) * 86_400)] ?? 0 }.sorted()
        let median = history[3]
        let hourText = lastHour.ISO8601Format()
        guard median >= c.volumeMinimumMedian else {
            return AlertObservation(rule: .sendVolume, scope: .overall, severity: nil, value: nil, threshold: nil,
                                    message: "send volume not judged: same-hour median \(median) is below \(c.volumeMinimumMedian)",
                                    judged: false)
        }
        let ratio = Double(current) / Double(median)
        let summary = "\(current) sends in the hour from \(hourText), \(RateFormat.percent(ratio, decimals: 0)) of the 7-day same-hour median \(median)"
        if let low = c.volumeLowRatio, ratio < low {
            return AlertObservation(rule: .sendVolume, scope: .overall, severity: .warning, value: ratio, threshold: low,
                                    message: "\(summary) (below \(RateFormat.percent(low, decimals: 0)))")
        }
        if let high = c.volumeHighRatio, ratio > high {
            return AlertObservation(rule: .sendVolume, scope: .overall, severity: .warning, value: ratio, threshold: high,
                                    message: "\(summary) (above \(RateFormat.percent(high, decimals: 0)))")
        }
        return AlertObservation(rule: .sendVolume, scope: .overall, severity: nil, value: ratio, threshold: nil,
                                message: "\(summary) is normal",
                                withinClearMargin: nearLower(ratio, c.volumeLowRatio) || nearUpper(ratio, c.volumeHighRatio))
    }

    // MARK: Quota

    /// Nil while the quota is unknown (`known` false: not read from SES yet, or the read failed), so an open
    /// quota alert is held rather than resolved; an unlimited quota is clear.
    func quotaObservation(_ quota: QuotaUse, known: Bool) -> AlertObservation? {
        guard let use = quota.use, let max = quota.max24h else {
            guard known else { return nil }
            return AlertObservation(rule: .quotaUse, scope: .overall, severity: nil, value: nil, threshold: configuration.quotaWarning,
                                    message: "quota unlimited: \(quota.sent24h) sent in 24 h")
        }
        let summary = "quota use \(RateFormat.percent(use, decimals: 1)): \(quota.sent24h) of \(RateFormat.number(max, decimals: 0)) in 24 h"
        if let critical = configuration.quotaCritical, use > critical {
            return AlertObservation(rule: .quotaUse, scope: .overall, severity: .critical, value: use, threshold: critical,
                                    message: "\(summary) is above \(RateFormat.percent(critical, decimals: 1))")
        }
        if let warning = configuration.quotaWarning, use > warning {
            return AlertObservation(rule: .quotaUse, scope: .overall, severity: .warning, value: use, threshold: warning,
                                    message: "\(summary) is above \(RateFormat.percent(warning, decimals: 1))")
        }
        return AlertObservation(rule: .quotaUse, scope: .overall, severity: nil, value: use,
                                threshold: configuration.quotaWarning, message: "\(summary) is within limits",
                                withinClearMargin: nearUpper(use, configuration.quotaWarning ?? configuration.quotaCritical))
    }

    // MARK: Feedback silence

    /// When the feedback-silence rule was armed: kept from `previous` once set, else now if SES Delivery or Send
    /// events appear in `inputs` (or a feedback-silence alert is open, as in a state saved before the latch existed);
    /// nil while neither holds or the rule is off.
    func feedbackSilenceArmedSince(_ inputs: AlertInputs, previous: AlertState, now: Date) -> Date? {
        guard configuration.feedbackSilence != nil else { return nil }
        if let since = previous.feedbackSilenceArmedSince { return since }
        if deliveryOrSendEventsSeen(inputs, now: now) { return now }
        return previous.active[AlertState.key(.feedbackSilence, .overall)] != nil ? now : nil
    }

    private func deliveryOrSendEventsSeen(_ inputs: AlertInputs, now: Date) -> Bool {
        inputs.deliveryOrSendEventsSeen
            ?? inputs.samples.contains { $0.hourStart < now && $0.count > 0 && ($0.kind == .delivery || $0.kind == .sesSend) }
    }

    /// No feedback for `feedbackSilence` while at least `feedbackSilenceMinimumSends` were sent within that period.
    /// Armed only once SES Delivery or Send events appear in the history read (or `armedBefore`, they did in an
    /// earlier evaluation): an account that publishes only Bounce and Complaint events hears nothing while its
    /// mail is clean, and that is no silence of the feed.
    func feedbackSilenceObservation(_ inputs: AlertInputs, now: Date, armedBefore: Bool = false) -> AlertObservation? {
        guard let silence = configuration.feedbackSilence else { return nil }
        let past = inputs.samples.filter { $0.hourStart < now && $0.count > 0 }
        guard armedBefore || deliveryOrSendEventsSeen(inputs, now: now) else {
            return AlertObservation(
                rule: .feedbackSilence, scope: .overall, severity: nil, value: nil, threshold: silence / HourMath.hour,
                message: "feedback silence not judged: no SES Delivery or Send events in the counters (the rule needs them published)",
                judged: false
            )
        }
        // A counter only says feedback arrived within its hour: its end is the latest possible arrival.
        let derived = past.filter { $0.kind != .send }.map { min(now, $0.hourStart.addingTimeInterval(HourMath.hour)) }.max()
        let lastFeedback = inputs.lastFeedbackAt ?? derived
        // With no feedback ever, silence started when sending started.
        guard let silentSince = lastFeedback ?? past.filter({ $0.kind == .send }).map(\.hourStart).min() else { return nil }
        let silentFor = now.timeIntervalSince(silentSince)
        let recentSends = past.filter { $0.kind == .send && $0.hourStart >= now.addingTimeInterval(-silence) }
            .reduce(0) { $0 + $1.count }
        let hours = silentFor / HourMath.hour
        let limitHours = silence / HourMath.hour
        let since = lastFeedback.map { "since \($0.ISO8601Format())" } ?? "ever"
        if silentFor >= silence && recentSends >= configuration.feedbackSilenceMinimumSends {
            return AlertObservation(
                rule: .feedbackSilence, scope: .overall, severity: .critical, value: hours, threshold: limitHours,
                message: "no SES feedback \(since) (\(RateFormat.number(hours, decimals: 1)) h) while \(recentSends) sends went out; check the SNS subscription"
            )
        }
        return AlertObservation(rule: .feedbackSilence, scope: .overall, severity: nil, value: hours, threshold: limitHours,
                                message: "SES feedback is flowing")
    }

    // MARK: External signals

    func signalObservations(_ signals: [ExternalSignal]) -> [AlertObservation] {
        func observation(_ kind: ExternalSignal.Kind, rule: AlertRule, what: String) -> AlertObservation {
            let matching = signals.filter { $0.kind == kind }
            guard !matching.isEmpty else {
                return AlertObservation(rule: rule, scope: .overall, severity: nil, value: 0, threshold: nil, message: "\(what): none")
            }
            let details = Set(matching.map(\.detail)).sorted().joined(separator: ", ")
            return AlertObservation(rule: rule, scope: .overall, severity: .critical, value: Double(matching.count),
                                    threshold: nil, message: "\(what): \(details)")
        }
        return [
            observation(.snsUnsubscribeConfirmation, rule: .snsUnsubscribed, what: "SNS unsubscribed the feedback endpoint"),
            observation(.sesSendingPaused, rule: .sesSendingPaused, what: "SES refused sending"),
        ]
    }
}
