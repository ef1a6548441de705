import Foundation
import SluiceCore
import Testing

struct RetryClassifierTests {
    @Test(arguments: [
        (429, "TooManyRequestsException", "Maximum sending rate exceeded.", RetryDecision.throttled),
        (429, nil, nil, .throttled),
        (400, "Throttling", "Maximum sending rate exceeded.", .throttled),
        (400, "ThrottlingException", nil, .throttled),
        (400, "TooManyRequestsException:http://internal.amazon.com/coral/com.amazon.coral.service/", nil, .throttled),
        (400, "com.amazonaws.ses#ThrottlingException", nil, .throttled),
        (400, "Throttling", "Daily message quota exceeded.", .dailyQuotaExceeded),
        (500, nil, nil, .retryable),
        (502, "InternalFailure", nil, .retryable),
        (503, "ServiceUnavailable", nil, .retryable),
        (504, nil, nil, .retryable),
        (408, "RequestTimeout", nil, .retryable),
        (400, "RequestTimeoutException", nil, .retryable),
        (400, "MessageRejected", "Email address is not verified.", .permanent),
        (400, "MailFromDomainNotVerifiedException", nil, .permanent),
        (400, "BadRequestException", nil, .permanent),
        (404, "NotFoundException", nil, .permanent),
        (400, "ConfigurationSetDoesNotExist", nil, .permanent),
        (400, "LimitExceededException", nil, .permanent),
        // Refused keys and clock skew are retried (keys dropped / clock offset taken); never permanent.
        (403, "InvalidSignatureException", "Signature expired: 20240101T000000Z is now earlier than 20240101T000500Z", .retryable),
        (403, "ExpiredTokenException", "The security token included in the request is expired", .retryable),
        (403, "UnrecognizedClientException", nil, .retryable),
        (403, "InvalidClientTokenId", nil, .retryable),
        (403, "SignatureDoesNotMatch", nil, .retryable),
        (400, "ExpiredToken", nil, .retryable),
        (403, "RequestTimeTooSkewed", nil, .retryable),
        (400, "RequestExpired", nil, .retryable),
        (403, "com.amazonaws.ses#ExpiredTokenException:http://internal.amazon.com/", nil, .retryable),
        // Account-level refusals pause sending instead of failing the queue.
        (403, "AccessDeniedException", nil, .denied),
        (400, "AccessDenied", nil, .denied),
        (403, nil, nil, .denied),
        (403, "MissingAuthenticationTokenException", nil, .denied),
        (401, nil, nil, .denied),
        (400, "AccountSuspendedException", nil, .pauseSending),
        (400, "SendingPausedException", nil, .pauseSending),
        (400, "AccountSendingPausedException", nil, .pauseSending),
        (400, "ConfigurationSetSendingPausedException", nil, .denied),
    ] as [(Int, String?, String?, RetryDecision)])
    func classifiesSESErrors(_ status: Int, _ type: String?, _ message: String?, _ expected: RetryDecision) {
        #expect(RetryClassifier.classify(status: status, errorType: type, message: message) == expected)
    }

    @Test(arguments: [
        ("InvalidSignatureException", "Signature expired: 20240101T000000Z is now earlier than 20240101T000500Z", true),
        ("InvalidSignatureException", "Signature not yet current: 20240101T010000Z is still later than 20240101T005500Z", true),
        ("InvalidSignatureException", "The request signature we calculated does not match the signature you provided.", false),
        ("RequestTimeTooSkewed", nil, true),
        ("RequestExpired", nil, true),
        ("ExpiredTokenException", "The security token included in the request is expired", false),
        ("MessageRejected", "Signature expired", false),
    ] as [(String, String?, Bool)])
    func recognisesClockSkew(_ type: String, _ message: String?, _ expected: Bool) {
        #expect(RetryClassifier.isClockSkew(errorType: type, message: message) == expected)
    }

    @Test func credentialRefusalsAreRecognised() {
        for code in ["ExpiredTokenException", "UnrecognizedClientException", "InvalidClientTokenId", "SignatureDoesNotMatch", "InvalidSignatureException"] {
            #expect(RetryClassifier.isCredentialRefusal(errorType: code))
        }
        #expect(!RetryClassifier.isCredentialRefusal(errorType: "AccessDeniedException"))
        #expect(!RetryClassifier.isCredentialRefusal(errorType: nil))
    }

    @Test func networkErrorsAreRetryable() {
        #expect(RetryClassifier.classify(status: nil, errorType: nil) == .retryable)
        #expect(RetryDecision.throttled.isRetryable)
        #expect(!RetryDecision.dailyQuotaExceeded.isRetryable)
        #expect(!RetryDecision.pauseSending.isRetryable)
        #expect(!RetryDecision.denied.isRetryable)
    }
}
