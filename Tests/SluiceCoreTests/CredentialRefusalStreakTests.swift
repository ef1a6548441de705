import SluiceCore
import Testing

struct CredentialRefusalStreakTests {
    @Test func pausesWhenTheThirdSetOfKeysInARowIsRefused() {
        var streak = CredentialRefusalStreak()
        #expect(streak.record(refusedKeys: true, keysGeneration: 0, decision: .retryable) == .retryable)
        #expect(streak.record(refusedKeys: true, keysGeneration: 1, decision: .retryable) == .retryable)
        #expect(streak.record(refusedKeys: true, keysGeneration: 2, decision: .retryable) == .pauseSending)
        #expect(streak.record(refusedKeys: true, keysGeneration: 3, decision: .retryable) == .pauseSending, "still wrong after a resume")
        #expect(streak.count == 3)
    }

    /// Calls in flight together were signed with the same keys: a rotation refuses all of them once.
    @Test func refusalsOfKeysAlreadyCountedCountOnce() {
        var streak = CredentialRefusalStreak()
        for _ in 0..<30 {
            #expect(streak.record(refusedKeys: true, keysGeneration: 7, decision: .retryable) == .retryable)
        }
        #expect(streak.count == 1)
        // The new keys work: the streak ends.
        #expect(streak.record(refusedKeys: false, keysGeneration: 8, decision: .retryable) == .retryable)
        #expect(streak.count == 0)
        // A late refusal of the old keys after that counts as one new set, no more.
        #expect(streak.record(refusedKeys: true, keysGeneration: 7, decision: .retryable) == .retryable)
        #expect(streak.record(refusedKeys: true, keysGeneration: 7, decision: .retryable) == .retryable)
        #expect(streak.count == 1)
    }

    @Test func anyOtherAnswerEndsTheStreak() {
        var streak = CredentialRefusalStreak()
        _ = streak.record(refusedKeys: true, keysGeneration: 0, decision: .retryable)
        _ = streak.record(refusedKeys: true, keysGeneration: 1, decision: .retryable)
        #expect(streak.record(refusedKeys: false, keysGeneration: 2, decision: .permanent) == .permanent)
        #expect(streak.count == 0)
        #expect(streak.record(refusedKeys: true, keysGeneration: 2, decision: .retryable) == .retryable)
    }

    @Test func clockSkewIsNoRefusalOfTheKeys() {
        #expect(CredentialRefusalStreak.refusesKeys(errorType: "InvalidClientTokenId", message: "The security token is invalid."))
        #expect(CredentialRefusalStreak.refusesKeys(errorType: "SignatureDoesNotMatch", message: "The request signature we calculated does not match"))
        #expect(!CredentialRefusalStreak.refusesKeys(errorType: "InvalidSignatureException", message: "Signature expired: 20240101T000000Z is now earlier"))
        #expect(!CredentialRefusalStreak.refusesKeys(errorType: "RequestTimeTooSkewed", message: nil))
        #expect(!CredentialRefusalStreak.refusesKeys(errorType: "AccessDeniedException", message: "not authorized"))
        #expect(!CredentialRefusalStreak.refusesKeys(errorType: nil, message: nil))
    }
}
