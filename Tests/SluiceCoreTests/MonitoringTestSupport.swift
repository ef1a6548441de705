import Foundation
@testable import SluiceCore

/// Builders for counter samples relative to a fixed, hour-aligned clock.
enum MonitoringFixture {
    /// 2026-11-18T… an hour boundary; every test injects this clock.
    static let now = HourMath.floor(Date(timeIntervalSince1970: 1_795_000_000))

    static func sample(hoursAgo: Double, _ kind: EventKind, _ count: Int, identity: String = "a.example", from: Date = now) -> CounterSample {
        CounterSample(hourStart: from.addingTimeInterval(-hoursAgo * 3600), identity: identity, kind: kind, count: count)
    }

    /// One hour an hour ago with `sends` sends and the given feedback counts.
    static func hour(
        hoursAgo: Double = 1, identity: String = "a.example", sends: Int, deliveries: Int = 0, hard: Int = 0,
        soft: Int = 0, complaints: Int = 0
    ) -> [CounterSample] {
        var out = [sample(hoursAgo: hoursAgo, .send, sends, identity: identity)]
        if deliveries > 0 { out.append(sample(hoursAgo: hoursAgo, .delivery, deliveries, identity: identity)) }
        if hard > 0 { out.append(sample(hoursAgo: hoursAgo, .hardBounce, hard, identity: identity)) }
        if soft > 0 { out.append(sample(hoursAgo: hoursAgo, .softBounce, soft, identity: identity)) }
        if complaints > 0 { out.append(sample(hoursAgo: hoursAgo, .complaint, complaints, identity: identity)) }
        return out
    }
}
