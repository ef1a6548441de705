/// A rate as judged by the rules: a value, or not judged because the window holds too few sends.
public enum RateReading: Sendable, Equatable {
    /// Enough volume: the fraction (0.01 = 1 %).
    case value(Double)
    /// Fewer than the minimum sends: reported, never judged.
    case insufficientVolume(sends: Int, minimum: Int)

    /// The fraction when judged, else nil.
    public var judgedValue: Double? {
        if case .value(let v) = self { return v }
        return nil
    }
}

/// Whether a window's rate may breach a threshold; reports show it as `bounce_status` and `complaint_status`.
public enum RateStatus: String, Sendable, Codable {
    /// Enough sends and events: the rate is judged.
    case ok
    /// Fewer sends than the minimum volume: reported, never judged.
    case insufficientVolume = "insufficient_volume"
    /// Enough sends but fewer events (hard bounces, complaints) than the minimum: reported, and it cannot breach.
    case insufficientEvents = "insufficient_events"
}

/// Which rate a rule or policy looks at.
public enum RateMetric: String, Sendable, Codable, CaseIterable {
    case bounce
    case complaint
    case delivery
}
