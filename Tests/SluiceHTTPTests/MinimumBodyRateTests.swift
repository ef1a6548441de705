import Testing
@testable import SluiceHTTP

/// The whole-body deadline: a grace period plus one second per `bytesPerSecond` bytes received.
struct MinimumBodyRateTests {
    static let second: UInt64 = 1_000_000_000

    @Test func graceAloneCoversABodyWithNoBytesYet() {
        let rate = MinimumBodyRate(grace: 2 * Self.second, bytesPerSecond: 1000)
        #expect(!rate.isTooSlow(elapsed: 2 * Self.second, received: 0))
        #expect(rate.isTooSlow(elapsed: 2 * Self.second + 1, received: 0))
    }

    @Test func receivedBytesEarnTime() {
        let rate = MinimumBodyRate(grace: Self.second, bytesPerSecond: 1000)
        // 500 bytes earn half a second on top of the grace.
        #expect(!rate.isTooSlow(elapsed: Self.second + Self.second / 2, received: 500))
        #expect(rate.isTooSlow(elapsed: Self.second + Self.second / 2 + 1, received: 500))
        // A byte every 25 s never keeps up once the grace is spent.
        #expect(rate.isTooSlow(elapsed: 100 * Self.second, received: 4))
    }

    @Test func zeroRateTurnsTheCheckOff() {
        let rate = MinimumBodyRate(grace: Self.second, bytesPerSecond: 0)
        #expect(!rate.isTooSlow(elapsed: UInt64.max, received: 0))
    }

    @Test func hugeCountsDoNotOverflow() {
        let rate = MinimumBodyRate(grace: UInt64.max - 1, bytesPerSecond: 1)
        #expect(!rate.isTooSlow(elapsed: UInt64.max, received: Int.max))
        #expect(!MinimumBodyRate(grace: 0, bytesPerSecond: 1).isTooSlow(elapsed: UInt64.max, received: Int.max))
    }
}
