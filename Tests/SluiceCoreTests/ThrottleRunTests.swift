import Foundation
import Testing
@testable import SluiceCore

struct ThrottleRunTests {
    let t0 = Date(timeIntervalSince1970: 1_800_000_000)
    let throttled = SendOutcome.failed(decision: .throttled, error: "429")

    /// The run starts at its first throttled answer and grows until an accepted call; other failures leave it.
    @Test func runsFromTheFirstThrottleUntilAnAcceptedCall() {
        var run = ThrottleRun(maxGap: 60)
        #expect(run.throttledSince(acceptedAt: t0) == nil)
        run.record(throttled, at: t0)
        run.record(.failed(decision: .retryable, error: "500"), at: t0.addingTimeInterval(10))
        run.record(throttled, at: t0.addingTimeInterval(50))
        #expect(run.streak == 2)
        #expect(run.since == t0)
        // A message accepted long before the run is throttled only since the run began; one accepted later, since then.
        #expect(run.throttledSince(acceptedAt: t0.addingTimeInterval(-86_400 * 3)) == t0)
        #expect(run.throttledSince(acceptedAt: t0.addingTimeInterval(20)) == t0.addingTimeInterval(20))
        run.record(.accepted(sesMessageId: "ses-1"), at: t0.addingTimeInterval(51))
        #expect(run.streak == 0)
        #expect(run.since == nil)
    }

    /// A gap past `maxGap` (sending paused, nothing due) starts a new run: a backlog that waited out a long pause
    /// is not failed on its first throttle.
    @Test func aLongGapStartsANewRun() {
        var run = ThrottleRun(maxGap: ThrottleRun.gap(backoffCap: 300))
        #expect(run.maxGap == 600)
        run.record(throttled, at: t0)
        run.record(throttled, at: t0.addingTimeInterval(600))
        #expect(run.since == t0)
        let resumed = t0.addingTimeInterval(600 + 86_400)
        run.record(throttled, at: resumed)
        #expect(run.since == resumed)
        #expect(run.streak == 1)
    }

    /// With the run measured by it, the state machine retries a message accepted days ago on its first throttle.
    @Test func oldBacklogIsRetriedOnItsFirstThrottle() {
        let machine = QueueStateMachine(maxAttempts: 3, backoff: Backoff(base: 1, cap: 10, maxRetries: 2), maxThrottledAge: 3600)
        var run = ThrottleRun(maxGap: 60)
        run.record(throttled, at: t0)
        let first = machine.action(
            after: throttled, attempts: 1, now: t0, random: 0.5, throttledSince: run.throttledSince(acceptedAt: t0.addingTimeInterval(-86_400 * 2)))
        #expect(first == .throttled(retryAt: t0.addingTimeInterval(0.5), error: "429"))
        for minute in 1...60 { run.record(throttled, at: t0.addingTimeInterval(Double(minute) * 60)) }
        let later = t0.addingTimeInterval(3600)
        let last = machine.action(
            after: throttled, attempts: 1, now: later, random: 0.5, throttledSince: run.throttledSince(acceptedAt: t0.addingTimeInterval(-86_400 * 2)))
        guard case .fail(let error) = last else { Issue.record("expected a failure, got \(last)"); return }
        #expect(error.hasPrefix("gave up: SES still throttles after 3600 s"))
    }
}
