import Foundation
import SluiceCore
import Testing

struct BackoffTests {
    @Test(arguments: 0..<12)
    func delaysStayWithinBounds(_ attempt: Int) {
        let backoff = Backoff(base: 0.5, cap: 30)
        let ceiling = min(30, 0.5 * pow(2, Double(attempt)))
        #expect(backoff.ceiling(attempt: attempt) == ceiling)
        for r in [0.0, 0.25, 0.5, 0.999999] {
            let d = backoff.delay(attempt: attempt, random: r)
            #expect(d >= 0 && d < ceiling + 1e-12)
            #expect(d == r * ceiling)
        }
    }

    @Test func extremeInputsAreClamped() {
        let backoff = Backoff(base: 1, cap: 20, maxRetries: 3)
        #expect(backoff.delay(attempt: 10_000, random: 0.5) == 10)
        #expect(backoff.delay(attempt: -5, random: 0.5) == 0.5)
        #expect(backoff.delay(attempt: 3, random: 7) == 8)
        #expect(backoff.delay(attempt: 3, random: -1) == 0)
        #expect(backoff.allowsRetry(attempt: 2))
        #expect(!backoff.allowsRetry(attempt: 3))
    }
}
