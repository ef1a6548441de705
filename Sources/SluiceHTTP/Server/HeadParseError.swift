/// Why a head could not be accepted: the status to answer with and a fixed, input-free message.
struct HeadParseError: Error {
    var status: HTTPStatus
    var code: String
    var message: String

    static func bad(_ message: String) -> HeadParseError {
        HeadParseError(status: .badRequest, code: "bad_request", message: message)
    }
}
