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

/// Which rate a rule or policy looks at.
public enum RateMetric: String, Sendable, Codable, CaseIterable {
    case bounce
    case complaint
    case delivery
}
