import Foundation
import SluiceCore
import SluiceHTTP

extension SESError {
    /// Longest service message kept.
    static let maxMessageLength = 512

    /// Builds the error for a non-2xx answer: type from `x-amzn-ErrorType` (`Name:http://…` → `Name`), else
    /// JSON `__type` / `code`, else a Query-style XML `<Code>`; message from `message` / `Message`.
    static func fromResponse(_ response: HTTPClientResponse) -> SESError {
        var type = response.headers["x-amzn-ErrorType"].map(normalizeType)
        var message: String?
        if let object = try? JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any] {
            if type == nil || type?.isEmpty == true {
                type = ((object["__type"] ?? object["code"] ?? object["Code"]) as? String).map(normalizeType)
            }
            message = (object["message"] ?? object["Message"]) as? String
        } else if response.body.first == UInt8(ascii: "<") {
            // SES v1 and some emulators answer with an XML ErrorResponse.
            let xml = String(decoding: response.body.prefix(16 * 1024), as: UTF8.self)
            if type == nil { type = xmlElement("Code", in: xml).map(normalizeType) }
            message = xmlElement("Message", in: xml)
        }
        if type?.isEmpty == true { type = nil }
        let retry = RetryClassifier.classify(status: response.status, errorType: type, message: message)
        return SESError(
            .service, sanitize(message ?? "HTTP \(response.status)"), httpStatus: response.status, awsErrorType: type,
            retry: retry)
    }

    /// Maps a transport failure; only malformed requests are permanent.
    static func fromTransport(_ error: any Error) -> SESError {
        guard let error = error as? HTTPClientError else {
            return SESError(.network, "request failed", retry: .retryable)
        }
        switch error.code {
        case .invalidURL, .invalidRequest, .tlsConfiguration:
            return SESError(.invalidRequest, error.message, retry: .permanent, underlying: error)
        case .cancelled:
            return SESError(.cancelled, error.message, retry: .retryable, underlying: error)
        default:
            return SESError(.network, "\(error.code): \(error.message)", retry: .retryable, underlying: error)
        }
    }

    /// `aws.protocol#Name:http://…` → `Name`.
    static func normalizeType(_ raw: String) -> String {
        var s = Substring(raw)
        if let colon = s.firstIndex(of: ":") { s = s[..<colon] }
        if let hash = s.lastIndex(of: "#") { s = s[s.index(after: hash)...] }
        return s.trimmingCharacters(in: .whitespaces)
    }

    static func sanitize(_ text: String) -> String {
        let scalars = text.unicodeScalars.prefix(maxMessageLength).map { $0.value < 0x20 || $0.value == 0x7F ? " " : $0 }
        return String(String.UnicodeScalarView(scalars))
    }

    private static func xmlElement(_ name: String, in xml: String) -> String? {
        guard let open = xml.range(of: "<\(name)>"), let close = xml.range(of: "</\(name)>", range: open.upperBound..<xml.endIndex)
        else { return nil }
        return String(xml[open.upperBound..<close.lowerBound])
    }
}

extension SESError {
    /// True when SES certainly did not act on the request: no request could be made (no keys, unsignable,
    /// malformed), the connection never got as far as sending it (name resolution, connect, TLS handshake or
    /// certificate failure), or SES answered with a 4xx refusal. False when it may have: a timeout or a
    /// connection lost after the request was written, a 5xx, a 2xx that is not SES's answer.
    public var certainlyNotSent: Bool {
        if let httpStatus { return (400..<500).contains(httpStatus) }
        if code == .credentials || code == .invalidRequest { return true }
        guard let client = underlying as? HTTPClientError else { return false }
        return Self.failuresBeforeTheRequest.contains(client.code)
    }

    /// Client failures raised before any byte of the request is written (the client does not retry a
    /// non-idempotent request on a new connection, so these never follow a written attempt).
    static let failuresBeforeTheRequest: Set<HTTPClientError.Code> = [
        .invalidURL, .invalidRequest, .nameResolutionFailed, .connectFailed, .tlsConfiguration, .tlsHandshakeFailed,
        .certificateUntrusted, .certificateExpired, .hostnameMismatch,
    ]
}
