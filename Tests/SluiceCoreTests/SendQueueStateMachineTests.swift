import Foundation
import Testing
@testable import SluiceCore

struct SendQueueStateMachineTests {
    let now = Date(timeIntervalSince1970: 1_800_000_000)
    let machine = QueueStateMachine(maxAttempts: 3, backoff: Backoff(base: 1, cap: 10, maxRetries: 2))

    @Test func acceptedMarksSent() {
        #expect(machine.action(after: .accepted(sesMessageId: "ses-1"), attempts: 1, now: now, random: 0.5) == .markSent(sesMessageId: "ses-1"))
    }

    @Test func permanentFailsAtOnce() {
        #expect(machine.action(after: .failed(decision: .permanent, error: "MessageRejected"), attempts: 1, now: now, random: 0.5)
            == .fail(error: "MessageRejected"))
    }

    @Test func retryableUsesFullJitterBackoffUntilMaxAttempts() {
        let first = machine.action(after: .failed(decision: .throttled, error: "429"), attempts: 1, now: now, random: 0.5)
        #expect(first == .retry(at: now.addingTimeInterval(0.5), error: "429"))
        let second = machine.action(after: .failed(decision: .retryable, error: "500"), attempts: 2, now: now, random: 1)
        #expect(second == .retry(at: now.addingTimeInterval(2), error: "500"))
        let last = machine.action(after: .failed(decision: .retryable, error: "500"), attempts: 3, now: now, random: 0.5)
        #expect(last == .fail(error: "gave up after 3 attempts: 500"))
    }

    @Test func backoffIsCapped() {
        let capped = QueueStateMachine(maxAttempts: 50, backoff: Backoff(base: 1, cap: 10, maxRetries: 49))
        #expect(capped.action(after: .failed(decision: .retryable, error: "e"), attempts: 40, now: now, random: 1)
            == .retry(at: now.addingTimeInterval(10), error: "e"))
    }

    @Test(arguments: [RetryDecision.pauseSending, .dailyQuotaExceeded, .unavailable])
    func accountLevelRefusalsReleaseWithoutCountingTheAttempt(decision: RetryDecision) {
        #expect(machine.action(after: .failed(decision: decision, error: "x"), attempts: 3, now: now, random: 0)
            == .release(reason: decision, error: "x"))
    }

    @Test func transitionsOnlyMoveForward() {
        #expect(QueueStateMachine.canTransition(from: .queued, to: .sending))
        #expect(QueueStateMachine.canTransition(from: .queued, to: .suppressed))
        #expect(QueueStateMachine.canTransition(from: .sending, to: .sent))
        #expect(QueueStateMachine.canTransition(from: .sending, to: .queued))
        #expect(!QueueStateMachine.canTransition(from: .sent, to: .queued))
        #expect(!QueueStateMachine.canTransition(from: .queued, to: .sent))
        #expect(!QueueStateMachine.canTransition(from: .failed, to: .sending))
        for state in MessageState.allCases where state.isFinal {
            #expect(MessageState.allCases.allSatisfy { !QueueStateMachine.canTransition(from: state, to: $0) })
        }
    }

    @Test func recoveryChoosesBetweenAtMostAndAtLeastOnce() {
        #expect(QueueStateMachine.recovery(.fail).state == .failed)
        #expect(QueueStateMachine.recovery(.fail).error.hasPrefix("outcome_unknown"))
        #expect(QueueStateMachine.recovery(.resend).state == .queued)
    }
}
