import Foundation

/// A daily send cap for a new sending identity that grows by `factor` each UTC day from `start`:
/// day 0 allows `initialDailyCap`, day d allows `initialDailyCap × factor^d` (rounded down), until
/// it reaches `maxDailyCap` (0 = no ceiling; the schedule then simply stops mattering).
public struct WarmupSchedule: Sendable, Equatable {
    public var identity: String
    /// Start of the first warm-up day (a UTC midnight).
    public var start: Date
    public var initialDailyCap: Int
    public var factor: Double
    public var maxDailyCap: Int

    public init(identity: String, start: Date, initialDailyCap: Int, factor: Double, maxDailyCap: Int = 0) {
        self.identity = identity.lowercased()
        self.start = WarmupSchedule.dayStart(of: start)
        self.initialDailyCap = initialDailyCap
        self.factor = factor
        self.maxDailyCap = maxDailyCap
    }

    /// Parses `identity@YYYY-MM-DD` (the identity is the From domain, e.g. `news.example.com@2026-11-20`).
    public init?(parsing text: String, initialDailyCap: Int, factor: Double, maxDailyCap: Int = 0) {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard let at = trimmed.lastIndex(of: "@") else { return nil }
        let identity = String(trimmed[..<at])
        let day = trimmed[trimmed.index(after: at)...].split(separator: "-").compactMap { Int($0) }
        guard !identity.isEmpty, day.count == 3, (1970...9999).contains(day[0]), (1...12).contains(day[1]), (1...31).contains(day[2]) else {
            return nil
        }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        guard let date = calendar.date(from: DateComponents(year: day[0], month: day[1], day: day[2])) else { return nil }
        self.init(identity: identity, start: date, initialDailyCap: initialDailyCap, factor: factor, maxDailyCap: maxDailyCap)
    }

    /// The UTC midnight at or before `date`.
    public static func dayStart(of date: Date) -> Date {
        Date(timeIntervalSince1970: (date.timeIntervalSince1970 / 86_400).rounded(.down) * 86_400)
    }

    /// The cap of the UTC day containing `date`; nil when unlimited (before the start nothing is sent:
    /// cap 0; once past `maxDailyCap`, or the cap no longer fits an Int, nil).
    public func dailyCap(at date: Date) -> Int? {
        let day = Int(((date.timeIntervalSince1970 - start.timeIntervalSince1970) / 86_400).rounded(.down))
        if day < 0 { return 0 }
        let cap = Double(initialDailyCap) * pow(factor, Double(day))
        guard cap.isFinite, cap < 1e15 else { return nil }
        let whole = Int(cap.rounded(.down))
        if maxDailyCap > 0, whole >= maxDailyCap { return nil }
        return whole
    }
}
