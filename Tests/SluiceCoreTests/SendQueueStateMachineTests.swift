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
        let first = machine.action(after: .failed(decision: .retryable, error: "500"), attempts: 1, now: now, random: 0.5)
        #expect(first == .retry(at: now.addingTimeInterval(0.5), error: "500"))
        let second = machine.action(after: .failed(decision: .retryable, error: "500"), attempts: 2, now: now, random: 1)
        #expect(second == .retry(at: now.addingTimeInterval(2), error: "500"))
        let last = machine.action(after: .failed(decision: .retryable, error: "500"), attempts: 3, now: now, random: 0.5)
        #expect(last == .fail(error: "gave up after 3 attempts: 500"))
    }

    /// Throttling spends no attempt, however many were made: its backoff grows with the account's streak of
    /// throttled answers, and only the message's age ends it.
    @Test func throttlingRetriesWithoutSpendingAttemptsUntilTheAgeLimit() {
        let aged = QueueStateMachine(maxAttempts: 3, backoff: Backoff(base: 1, cap: 10, maxRetries: 2), maxThrottledAge: 3600)
        let accepted = now.addingTimeInterval(-60)
        let throttled = SendOutcome.failed(decision: .throttled, error: "429")
        #expect(aged.action(after: throttled, attempts: 3, now: now, random: 0.5, throttledSince: accepted, throttles: 1)
            == .throttled(retryAt: now.addingTimeInterval(0.5), error: "429"))
        #expect(aged.action(after: throttled, attempts: 3, now: now, random: 1, throttledSince: accepted, throttles: 3)
            == .throttled(retryAt: now.addingTimeInterval(4), error: "429"))
        #expect(aged.action(after: throttled, attempts: 1, now: now, random: 1, throttledSince: accepted, throttles: 50)
            == .throttled(retryAt: now.addingTimeInterval(10), error: "429"), "capped")
        let old = aged.action(after: throttled, attempts: 1, now: now, random: 0.5, throttledSince: now.addingTimeInterval(-3600))
        guard case .fail(let error) = old else { Issue.record("expected a failure, got \(old)"); return }
        #expect(error.hasPrefix("gave up: SES still throttles after 3600 s"))
        #expect(error.hasSuffix(": 429"))
        // No limit: never failed for age.
        #expect(machine.action(after: throttled, attempts: 99, now: now, random: 0, throttledSince: .distantPast)
            == .throttled(retryAt: now, error: "429"))
    }

    @Test func backoffIsCapped() {
        let capped = QueueStateMachine(maxAttempts: 50, backoff: Backoff(base: 1, cap: 10, maxRetries: 49))
        #expect(capped.action(after: .failed(decision: .retryable, error: "e"), attempts: 40, now: now, random: 1)
            == .retry(at: now.addingTimeInterval(10), error: "e"))
    }

    @Test(arguments: [RetryDecision.dailyQuotaExceeded, .unavailable])
    func accountLevelWaitsReleaseWithoutCountingTheAttempt(decision: RetryDecision) {
        #expect(machine.action(after: .failed(decision: decision, error: "x"), attempts: 3, now: now, random: 0)
            == .release(reason: decision, error: "x"))
    }

    /// A refusal to send pauses everything. A denial's attempt counts, so a message whose own refusal (IAM
    /// denying its identity) would pause sending after every resume is failed after its last attempt; an
    /// account-wide pause never fails the message.
    @Test func refusalsToSendPauseAndDenialsSpendTheAttempt() {
        let machine = QueueStateMachine(maxAttempts: 3)
        let denied = SendOutcome.failed(decision: .denied, error: "AccessDenied: not authorized")
        #expect(machine.action(after: denied, attempts: 2, now: now, random: 0)
            == .pause(error: "AccessDenied: not authorized", gaveUp: false, countsAttempt: true))
        #expect(machine.action(after: denied, attempts: 3, now: now, random: 0)
            == .pause(error: "gave up after 3 attempts: AccessDenied: not authorized", gaveUp: true, countsAttempt: true))
        let paused = SendOutcome.failed(decision: .pauseSending, error: "SendingPausedException: paused")
        #expect(machine.action(after: paused, attempts: 99, now: now, random: 0)
            == .pause(error: "SendingPausedException: paused", gaveUp: false, countsAttempt: false))
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

    @Test func resendRecoveryFailsAMessageWhoseAttemptsAreUsedUp() {
        #expect(QueueStateMachine.recovery(.resend, attempts: 2, maxAttempts: 3).state == .queued)
        let exhausted = QueueStateMachine.recovery(.resend, attempts: 3, maxAttempts: 3)
        #expect(exhausted.state == .failed)
        #expect(exhausted.error == QueueStateMachine.exhaustedRecoveryError(maxAttempts: 3))
        #expect(exhausted.error.hasPrefix("outcome_unknown"))
        #expect(QueueStateMachine.recovery(.fail, attempts: 1, maxAttempts: 3) == QueueStateMachine.recovery(.fail))
    }
}
