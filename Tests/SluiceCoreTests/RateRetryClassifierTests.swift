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
        (403, "AccessDeniedException", nil, .permanent),
        (400, "AccountSuspendedException", nil, .pauseSending),
        (400, "SendingPausedException", nil, .pauseSending),
        (400, "AccountSendingPausedException", nil, .pauseSending),
        (400, "ConfigurationSetSendingPausedException", nil, .pauseSending),
    ] as [(Int, String?, String?, RetryDecision)])
    func classifiesSESErrors(_ status: Int, _ type: String?, _ message: String?, _ expected: RetryDecision) {
        #expect(RetryClassifier.classify(status: status, errorType: type, message: message) == expected)
    }

    @Test func networkErrorsAreRetryable() {
        #expect(RetryClassifier.classify(status: nil, errorType: nil) == .retryable)
        #expect(RetryDecision.throttled.isRetryable)
        #expect(!RetryDecision.dailyQuotaExceeded.isRetryable)
        #expect(!RetryDecision.pauseSending.isRetryable)
    }
}
