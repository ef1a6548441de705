import Foundation

/// Totals and rates of one scope (overall or one identity) over one window.
public struct WindowStats: Sendable, Equatable {
    public var window: StatsWindow
    /// First hour included.
    public var start: Date
    /// Exclusive end: the evaluation time.
    public var end: Date
    public var sends: Int
    public var deliveries: Int
    public var hardBounces: Int
    public var softBounces: Int
    public var undeterminedBounces: Int
    public var complaints: Int
    public var rejects: Int
    public var delays: Int
    /// The minimum sends for rates to be judged.
    public var minimumVolume: Int
    /// The minimum hard bounces (complaints) for the bounce (complaint) rate to breach a threshold.
    public var minimumEvents: Int

    public init(
        window: StatsWindow, start: Date, end: Date, sends: Int = 0, deliveries: Int = 0, hardBounces: Int = 0,
        softBounces: Int = 0, undeterminedBounces: Int = 0, complaints: Int = 0, rejects: Int = 0, delays: Int = 0,
        minimumVolume: Int, minimumEvents: Int = 1
    ) {
        self.window = window
        self.start = start
        self.end = end
        self.sends = sends
        self.deliveries = deliveries
        self.hardBounces = hardBounces
        self.softBounces = softBounces
        self.undeterminedBounces = undeterminedBounces
        self.complaints = complaints
        self.rejects = rejects
        self.delays = delays
        self.minimumVolume = minimumVolume
        self.minimumEvents = max(1, minimumEvents)
    }

    /// Window name in reports (`24h`, `7d`, `representative`).
    public var name: String { window.rawValue }

    /// Whether the window holds enough sends for its rates to be judged.
    public var judged: Bool { sends >= minimumVolume }

    /// Hard bounces / sends (soft bounces excluded, as SES does); nil when nothing was sent.
    public var bounceRate: Double? { ratio(hardBounces) }
    /// Complaints / sends; nil when nothing was sent.
    public var complaintRate: Double? { ratio(complaints) }
    /// Deliveries / sends; nil when nothing was sent.
    public var deliveryRate: Double? { ratio(deliveries) }

    /// The rate as the rules see it: `.insufficientVolume` below the minimum volume.
    public func reading(_ metric: RateMetric) -> RateReading {
        guard judged else { return .insufficientVolume(sends: sends, minimum: minimumVolume) }
        switch metric {
        case .bounce: return .value(bounceRate ?? 0)
        case .complaint: return .value(complaintRate ?? 0)
        case .delivery: return .value(deliveryRate ?? 0)
        }
    }

    /// Whether `metric` may breach a threshold: `.insufficientVolume` below the minimum volume, `.insufficientEvents`
    /// when a bounce or complaint rate rests on fewer events than the minimum (the delivery rate has no such minimum).
    public func status(_ metric: RateMetric) -> RateStatus {
        guard judged else { return .insufficientVolume }
        switch metric {
        case .bounce: return hardBounces >= minimumEvents ? .ok : .insufficientEvents
        case .complaint: return complaints >= minimumEvents ? .ok : .insufficientEvents
        case .delivery: return .ok
        }
    }

    /// The events behind `metric`'s rate.
    public func events(_ metric: RateMetric) -> Int {
        switch metric {
        case .bounce: return hardBounces
        case .complaint: return complaints
        case .delivery: return deliveries
        }
    }

    /// The raw rate of `metric`, judged or not.
    public func rate(_ metric: RateMetric) -> Double? {
        switch metric {
        case .bounce: return bounceRate
        case .complaint: return complaintRate
        case .delivery: return deliveryRate
        }
    }

    /// Adds one counter sample to the totals; kinds that are not counted here are ignored.
    mutating func add(_ sample: CounterSample) {
        switch sample.kind {
        case .send: sends += sample.count
        case .delivery: deliveries += sample.count
        case .hardBounce: hardBounces += sample.count
        case .softBounce: softBounces += sample.count
        case .undeterminedBounce: undeterminedBounces += sample.count
        case .complaint: complaints += sample.count
        case .reject: rejects += sample.count
        case .deliveryDelay: delays += sample.count
        // SES Send events are folded into `send` by `CounterSample.reconcilingSends` before this.
        case .sesSend, .open, .click, .renderingFailure, .subscription, .unknown: break
        }
    }

    /// These totals less `other`'s (a part of them, e.g. one identity's share of the overall window), none below 0.
    func removing(_ other: WindowStats) -> WindowStats {
        var rest = self
        rest.sends = max(0, sends - other.sends)
        rest.deliveries = max(0, deliveries - other.deliveries)
        rest.hardBounces = max(0, hardBounces - other.hardBounces)
        rest.softBounces = max(0, softBounces - other.softBounces)
        rest.undeterminedBounces = max(0, undeterminedBounces - other.undeterminedBounces)
        rest.complaints = max(0, complaints - other.complaints)
        rest.rejects = max(0, rejects - other.rejects)
        rest.delays = max(0, delays - other.delays)
        return rest
    }

    private func ratio(_ n: Int) -> Double? {
        sends > 0 ? Double(n) / Double(sends) : nil
    }
}

extension WindowStats: Codable {
    private enum CodingKeys: String, CodingKey {
        case name, start, end, sends, deliveries, complaints, rejects, delays, judged, status
        case hardBounces = "hard_bounces", softBounces = "soft_bounces", undeterminedBounces = "undetermined_bounces"
        case bounceRate = "bounce_rate", complaintRate = "complaint_rate", deliveryRate = "delivery_rate"
        case minimumVolume = "minimum_volume", minimumEvents = "minimum_events"
        case bounceStatus = "bounce_status", complaintStatus = "complaint_status"
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(name, forKey: .name)
        try c.encode(start.ISO8601Format(), forKey: .start)
        try c.encode(end.ISO8601Format(), forKey: .end)
        try c.encode(sends, forKey: .sends)
        try c.encode(deliveries, forKey: .deliveries)
        try c.encode(hardBounces, forKey: .hardBounces)
        try c.encode(softBounces, forKey: .softBounces)
        try c.encode(undeterminedBounces, forKey: .undeterminedBounces)
        try c.encode(complaints, forKey: .complaints)
        try c.encode(rejects, forKey: .rejects)
        try c.encode(delays, forKey: .delays)
        // Rates are fractions (0.01 = 1 %), null when nothing was sent.
        try c.encode(bounceRate, forKey: .bounceRate)
        try c.encode(complaintRate, forKey: .complaintRate)
        try c.encode(deliveryRate, forKey: .deliveryRate)
        try c.encode(judged, forKey: .judged)
        try c.encode(judged ? "ok" : "insufficient_volume", forKey: .status)
        try c.encode(minimumVolume, forKey: .minimumVolume)
        // Per rate: `insufficient_events` says a bounce or complaint rate is shown but cannot breach.
        try c.encode(status(.bounce), forKey: .bounceStatus)
        try c.encode(status(.complaint), forKey: .complaintStatus)
        try c.encode(minimumEvents, forKey: .minimumEvents)
    }

    /// Decodes the counts; rates, `judged` and the statuses are recomputed from them.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        guard let window = StatsWindow(rawValue: try c.decode(String.self, forKey: .name)) else {
            throw DecodingError.dataCorruptedError(forKey: .name, in: c, debugDescription: "unknown window")
        }
        self.init(
            window: window, start: try ReportDate.decode(c, .start), end: try ReportDate.decode(c, .end),
            sends: try c.decode(Int.self, forKey: .sends), deliveries: try c.decode(Int.self, forKey: .deliveries),
            hardBounces: try c.decode(Int.self, forKey: .hardBounces), softBounces: try c.decode(Int.self, forKey: .softBounces),
            undeterminedBounces: try c.decode(Int.self, forKey: .undeterminedBounces),
            complaints: try c.decode(Int.self, forKey: .complaints), rejects: try c.decode(Int.self, forKey: .rejects),
            delays: try c.decode(Int.self, forKey: .delays), minimumVolume: try c.decode(Int.self, forKey: .minimumVolume),
            minimumEvents: try c.decodeIfPresent(Int.self, forKey: .minimumEvents) ?? 1
        )
    }
}
