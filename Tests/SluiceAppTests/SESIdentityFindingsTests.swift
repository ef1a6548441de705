import Testing
import SluiceAWS
import SluiceCore
import SluiceDNS
@testable import SluiceApp

/// `SESIdentityFindings`: what each GetEmailIdentity outcome adds to a DNS report. No I/O.
struct SESIdentityFindingsTests {
    static func findings(_ outcome: SESIdentityFindings.Outcome) -> SESIdentityFindings {
        SESIdentityFindings(domain: "example.com", region: "eu-west-1", outcome: outcome)
    }

    static func easy(status: String, tokens: [String] = ["t1", "t2", "t3"], verified: Bool? = true) -> SESIdentityFindings.Outcome {
        .answered(SESEmailIdentity(
            identityType: "DOMAIN", verifiedForSending: verified,
            dkim: .init(origin: "AWS_SES", status: status, signingEnabled: true, tokens: tokens)))
    }

    @Test func easyDKIMTokensAreUsedAndSESViewReported() {
        let f = Self.findings(Self.easy(status: "SUCCESS"))
        #expect(f.tokens == ["t1", "t2", "t3"])
        #expect(f.noTokensNote == nil)
        #expect(f.report.lookup == .ok)
        #expect(f.report.tokensUsed)
        #expect(f.report.dkimTokens == ["t1", "t2", "t3"])
        #expect(f.report.dkimStatus == "SUCCESS")
        #expect(f.report.region == "eu-west-1")
        #expect(f.checks.map(\.id) == ["ses.identity", "ses.dkim"])
        #expect(f.checks.map(\.status) == [.pass, .pass])
    }

    @Test(arguments: ["PENDING", "FAILED", "TEMPORARY_FAILURE", "NOT_STARTED", "SOMETHING_NEW"])
    func dkimStatusOtherThanSuccessWarnsAndNamesIt(status: String) throws {
        let f = Self.findings(Self.easy(status: status))
        let dkim = try #require(f.checks.first { $0.id == "ses.dkim" })
        #expect(dkim.status == .warn)
        #expect(dkim.message.contains(status))
        // SES's opinion never fails the check: the tokens are still checked in DNS.
        #expect(f.tokens.count == 3)
    }

    @Test func unverifiedIdentityWarns() throws {
        let f = Self.findings(Self.easy(status: "PENDING", verified: false))
        let identity = try #require(f.checks.first { $0.id == "ses.identity" })
        #expect(identity.status == .warn)
        #expect(identity.message.contains("not verified for sending"))
    }

    @Test func easyDKIMWithoutTokensExplainsWhyDKIMIsNotChecked() throws {
        let f = Self.findings(Self.easy(status: "NOT_STARTED", tokens: []))
        #expect(f.tokens.isEmpty)
        #expect(!f.report.tokensUsed)
        let note = try #require(f.noTokensNote)
        #expect(note.contains("SES returned no Easy DKIM tokens"))
        #expect(note.contains("NOT_STARTED"))
    }

    @Test(arguments: [("SUCCESS", CheckStatus.pass), ("PENDING", CheckStatus.warn), ("FAILED", CheckStatus.warn)])
    func byodkimHasNoTokensAndIsNeverAFailure(status: String, expected: CheckStatus) throws {
        let f = Self.findings(.answered(SESEmailIdentity(
            identityType: "DOMAIN", verifiedForSending: true, dkim: .init(origin: "EXTERNAL", status: status))))
        #expect(f.tokens.isEmpty)
        #expect(f.noTokensNote?.contains("BYODKIM") == true)
        let dkim = try #require(f.checks.first { $0.id == "ses.dkim" })
        #expect(dkim.status == expected)
        #expect(dkim.message.contains("BYODKIM"))
        #expect(f.report.dkimOrigin == "EXTERNAL")
    }

    @Test func identityWithoutDKIMAttributesWarns() {
        let f = Self.findings(.answered(SESEmailIdentity(identityType: "DOMAIN", verifiedForSending: nil, dkim: nil)))
        #expect(f.tokens.isEmpty)
        #expect(f.checks.map(\.status) == [.warn, .warn])
        #expect(f.noTokensNote != nil)
    }

    @Test func notFoundIsReportedAsNoIdentityInTheRegion() throws {
        let error = SESError(.service, "example.com", httpStatus: 404, awsErrorType: "NotFoundException", retry: .permanent)
        let f = Self.findings(.failed(error))
        #expect(f.report.lookup == .notFound)
        #expect(f.tokens.isEmpty)
        let check = try #require(f.checks.first)
        #expect(f.checks.count == 1)
        #expect(check.id == "ses.identity")
        #expect(check.status == .warn)
        #expect(check.message.contains("not an SES identity in eu-west-1"))
    }

    /// What went wrong is said; SES's own text (which can carry the IAM principal) is not repeated.
    @Test(arguments: [
        (SESError(.service, "User: arn:aws:iam::123456789012:user/ops is not authorized", httpStatus: 403, awsErrorType: "AccessDeniedException", retry: .denied), "HTTP 403 AccessDeniedException"),
        (SESError(.service, "Rate exceeded", httpStatus: 429, awsErrorType: "TooManyRequestsException", retry: .throttled), "throttled"),
        (SESError(.network, "connectFailed: connect to 127.0.0.1:9 failed", retry: .retryable), "no answer from SES: connectFailed"),
        (SESError(.credentials, "no AWS credentials found in the default chain", retry: .retryable), "no usable AWS credentials"),
        (SESError(.invalidResponse, "GetEmailIdentity: response is not a JSON object", retry: .permanent), "unusable answer"),
    ])
    func failureBecomesAWarningSayingWhatWentWrong(error: SESError, expected: String) throws {
        let f = Self.findings(.failed(error))
        #expect(f.report.lookup == .failed)
        #expect(f.report.reason?.contains(expected) == true)
        let check = try #require(f.checks.first)
        #expect(check.status == .warn)
        #expect(check.message.contains(expected))
        #expect(!check.message.contains("123456789012"))
        #expect(f.report.reason?.contains("123456789012") == false)
        #expect(f.noTokensNote?.contains("none fetched from SES") == true)
    }

    @Test func skippedAddsNothingButTheReason() {
        let f = Self.findings(.skipped("DKIM tokens were given"))
        #expect(f.checks.isEmpty)
        #expect(f.tokens.isEmpty)
        #expect(f.noTokensNote == nil)
        #expect(f.report == SESIdentityReport(lookup: .skipped, reason: "DKIM tokens were given"))
    }
}
