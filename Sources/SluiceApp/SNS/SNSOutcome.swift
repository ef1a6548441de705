import SluiceCore
import SluiceHTTP

/// The result of one SNS request: the answer, plus what to log and count about it.
struct SNSOutcome: Sendable {
    var verdict: SNSVerdict
    var type: SNSTypeLabel
    var response: HTTPResponse
    /// Short, fixed-vocabulary or already-quoted reason for the log.
    var reason: String
    var messageId: String?
    var topicArn: String?

    /// 200 with `{"status":"<status>"}`.
    static func accepted(_ verdict: SNSVerdict, _ type: SNSTypeLabel, status: String, _ message: SNSMessage? = nil) -> SNSOutcome {
        let response = switch status {
        // Built once: every stored notification answers with one of these (no per-request body or headers).
        case "stored": storedResponse
        case "duplicate": duplicateResponse
        default: okResponse(status)
        }
        return SNSOutcome(
            verdict: verdict, type: type, response: response, reason: status, messageId: message?.messageId,
            topicArn: message?.topicArn)
    }

    private static let storedResponse = okResponse("stored")
    private static let duplicateResponse = okResponse("duplicate")

    private static func okResponse(_ status: String) -> HTTPResponse {
        .json(.ok, bytes: Array(#"{"status":"\#(status)"}"#.utf8))
    }

    /// A 4xx/5xx with the JSON error body (both strings escaped by the helper).
    static func refused(
        _ verdict: SNSVerdict, _ type: SNSTypeLabel, _ status: HTTPStatus, code: String, _ reason: String,
        _ message: SNSMessage? = nil
    ) -> SNSOutcome {
        var response = HTTPResponse.error(status, code: code, message: reason)
        // 503 means "SNS, please retry": say when.
        if status == .serviceUnavailable { response.headers.set("Retry-After", "5") }
        return SNSOutcome(
            verdict: verdict, type: type, response: response, reason: reason, messageId: message?.messageId,
            topicArn: message?.topicArn)
    }

    /// Attaches the (untrusted until verified) ids for the log.
    func about(messageId: String?, topicArn: String?) -> SNSOutcome {
        var copy = self
        copy.messageId = messageId
        copy.topicArn = topicArn
        return copy
    }
}
