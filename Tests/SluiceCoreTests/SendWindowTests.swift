import Foundation
import Testing
@testable import SluiceCore

struct SendWindowTests {
    let start = Date(timeIntervalSince1970: 1_800_000_000)

    @Test func capsTheSumInAnyWindow() {
        var window = SendWindow(length: 1)
        for i in 0..<5 { window.record(1, now: start.addingTimeInterval(Double(i) * 0.1)) }
        let t = start.addingTimeInterval(0.5)
        #expect(window.used(now: t) == 5)
        #expect(window.timeUntilFree(1, limit: 6, now: t) == 0)
        // The oldest send leaves the window at start + 1 s.
        #expect(abs(window.timeUntilFree(1, limit: 5, now: t) - 0.5) < 1e-6)
        #expect(abs(window.timeUntilFree(3, limit: 5, now: t) - 0.7) < 1e-6)
        #expect(window.timeUntilFree(6, limit: 5, now: t) == .infinity)
        #expect(window.used(now: start.addingTimeInterval(1.05)) == 4)
    }

    @Test func manySendsStayBounded() {
        var window = SendWindow(length: 1)
        var t = start
        for _ in 0..<10_000 {
            window.record(1, now: t)
            t = t.addingTimeInterval(0.001)
        }
        #expect((999...1001).contains(window.used(now: t)))
    }
}
