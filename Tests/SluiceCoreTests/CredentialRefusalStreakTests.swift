import SluiceCore
import Testing

struct CredentialRefusalStreakTests {
    @Test func pausesFromTheThirdRefusalInARow() {
        var streak = CredentialRefusalStreak()
        #expect(streak.record(refusedKeys: true, decision: .retryable) == .retryable)
        #expect(streak.record(refusedKeys: true, decision: .retryable) == .retryable)
        #expect(streak.record(refusedKeys: true, decision: .retryable) == .pauseSending)
        #expect(streak.record(refusedKeys: true, decision: .retryable) == .pauseSending, "still wrong after a resume")
        #expect(streak.count == 4)
    }

    @Test func anyOtherAnswerEndsTheStreak() {
        var streak = CredentialRefusalStreak()
        _ = streak.record(refusedKeys: true, decision: .retryable)
        _ = streak.record(refusedKeys: true, decision: .retryable)
        #expect(streak.record(refusedKeys: false, decision: .permanent) == .permanent)
        #expect(streak.count == 0)
        #expect(streak.record(refusedKeys: true, decision: .retryable) == .retryable)
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
