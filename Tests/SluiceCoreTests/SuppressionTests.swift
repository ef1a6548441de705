import Foundation
import Testing
@testable import SluiceCore

struct SuppressionTests {
    static let t0 = Date(timeIntervalSince1970: 1_700_000_000)

    static func row(count: Int, at offset: TimeInterval = 0) -> Suppression {
        Suppression(address: "ovf@example.com", reason: .manual, firstSeen: t0.addingTimeInterval(offset), count: count, source: "s")
    }

    /// A stored count near `Int.max` (an import before counts were capped) saturates instead of trapping.
    @Test(arguments: [(Int.max, 1, Int.max), (1, Int.max, Int.max), (Int.max, Int.max, Int.max), (Int.max - 1, 1, Int.max), (2, 3, 5), (0, 0, 0)])
    func mergingSaturatesTheCount(_ earlier: Int, _ later: Int, _ expected: Int) {
        #expect(Self.row(count: earlier).merging(Self.row(count: later, at: 60)).count == expected)
    }

    @Test func mergingKeepsTheEarliestFirstSeenAndTakesTheRestFromLater() {
        var later = Self.row(count: 1, at: -60)
        later.reason = .hardBounce
        let merged = Self.row(count: 2).merging(later)
        #expect(merged.firstSeen == Self.t0.addingTimeInterval(-60))
        #expect(merged.reason == .hardBounce)
        #expect(merged.count == 3)
    }
}
