import SluiceCore
import SluiceHTTP

/// The one place store errors become HTTP answers.
enum APIErrorMapping {
    /// 503 for transient store trouble (so clients, and SNS, retry), 500 otherwise; never leaks SQL.
    static func response(for error: StoreError) -> HTTPResponse {
        if error.code == .notFound { return .error(.notFound, code: "not_found", message: "not found") }
        if error.code == .invalidInput { return .error(.badRequest, code: "invalid_input", message: error.message) }
        if error.isTransient {
            var response = HTTPResponse.error(.serviceUnavailable, code: "store_unavailable", message: "the database cannot accept writes right now (\(error.code)); retry later")
            response.headers.set("Retry-After", "5")
            return response
        }
        return .error(.internalServerError, code: "store_error", message: "the database reported an error (\(error.code))")
    }
}
