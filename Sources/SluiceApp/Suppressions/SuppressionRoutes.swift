import Foundation
import SluiceCore
import SluiceHTTP

/// `/v1/suppressions…` and `/v1/addresses/{address}/history`, all behind the bearer token.
enum SuppressionRoutes {
    /// Largest accepted import body.
    static let importBodyLimit = 512 * 1024 * 1024

    static func register(on router: inout Router, context: AppContext, sesSync: SESSyncService? = nil) {
        let auth = BearerAuthenticator(tokens: context.configuration.strings("api.tokens"))
        let service = SuppressionService(context: context)
        // Literal paths before `{address}`: the router takes the first pattern that matches.
        router.add(.GET, "/v1/suppressions/export", options: RouteOptions(runsOffLoop: true)) { request in
            guard auth.isAuthorized(request) else { return BearerAuthenticator.unauthorized() }
            let spreadsheet = request.query("spreadsheet")
            guard spreadsheet == nil || spreadsheet == "true" || spreadsheet == "false" else {
                return .error(.badRequest, code: "invalid_query", message: "spreadsheet must be true or false")
            }
            return export(request, service, spreadsheet: spreadsheet == "true")
        }
        // Bodies are checked on the head too (`routeAuthorization`): no body is read for a request without a token.
        let importOptions = RouteOptions(
            bodyLimit: importBodyLimit, streamingBody: true, runsOffLoop: true, authorization: auth.routeAuthorization,
            answersBodyFailure: true)
        router.add(.POST, "/v1/suppressions/import", options: importOptions) { request in
            guard auth.isAuthorized(request) else { return BearerAuthenticator.unauthorized() }
            return await importBody(request, service)
        }
        router.add(.GET, "/v1/suppressions") { request in
            guard auth.isAuthorized(request) else { return BearerAuthenticator.unauthorized() }
            return await respond {
                try single(request, ["reason", "domain", "since", "limit", "cursor"])
                let page = try await service.list(reason: request.query("reason"), domain: request.query("domain"), since: request.query("since"), limit: request.query("limit"), cursor: request.query("cursor"))
                return .json(.ok, SuppressionPageWire(page))
            }
        }
        router.add(.GET, "/v1/suppressions/{address}") { request in
            guard auth.isAuthorized(request) else { return BearerAuthenticator.unauthorized() }
            return await respond {
                .json(.ok, SuppressionWire(try await service.get(address: request.pathParameters["address"] ?? "", scope: request.query("scope"))))
            }
        }
        router.add(.PUT, "/v1/suppressions/{address}", options: RouteOptions(authorization: auth.routeAuthorization)) { request in
            guard auth.isAuthorized(request) else { return BearerAuthenticator.unauthorized() }
            return await respond {
                let body = try SuppressionPutBody.parse(request.body)
                let stored = try await service.put(
                    address: request.pathParameters["address"] ?? "", scope: request.query("scope"), reason: body.reason,
                    detail: body.detail, expiresAt: body.expiresAt, source: "api"
                )
                return .json(.ok, SuppressionWire(stored))
            }
        }
        router.add(.DELETE, "/v1/suppressions/{address}") { request in
            guard auth.isAuthorized(request) else { return BearerAuthenticator.unauthorized() }
            return await respond {
                let address = request.pathParameters["address"] ?? ""
                try single(request, ["ses", "scope"])
                let ses = request.query("ses")
                guard ses == nil || ses == "true" || ses == "false" else {
                    throw SuppressionServiceError(.invalidQuery, "ses must be true or false")
                }
                if ses == "true" { try service.checkSESRemovalScope(request.query("scope")) }
                if ses == "true", let sesSync {
                    // Also at SES, even when there was no local row: the operator fixes both places in one step.
                    return try await SESSyncRoutes.remove(address, scope: request.query("scope"), service: service, sync: sesSync)
                }
                try await service.remove(address: address, scope: request.query("scope"))
                return HTTPResponse(status: .noContent)
            }
        }
        router.add(.GET, "/v1/addresses/{address}/history") { request in
            guard auth.isAuthorized(request) else { return BearerAuthenticator.unauthorized() }
            return await respond {
                try single(request, ["limit"])
                return .json(.ok, AddressHistoryWire(try await service.history(address: request.pathParameters["address"] ?? "", limit: request.query("limit"))))
            }
        }
    }

    /// Runs `body`, mapping service errors to their HTTP answers in one place.
    /// Refuses a single-valued query parameter given twice (`?limit=5&limit=x`): which one would win
    /// is a guess, so 400 instead (found by schemathesis).
    static func single(_ request: HTTPRequest, _ names: [String]) throws(SuppressionServiceError) {
        for name in names where request.queryItems.lazy.filter({ $0.name == name }).count > 1 {
            throw SuppressionServiceError(.invalidQuery, "\(name) may be given at most once")
        }
    }

    static func respond(_ body: () async throws -> HTTPResponse) async -> HTTPResponse {
        do {
            return try await body()
        } catch let error as SuppressionServiceError {
            return response(for: error)
        } catch {
            return .error(.internalServerError, code: "internal_error", message: "Internal server error")
        }
    }

    static func response(for error: SuppressionServiceError) -> HTTPResponse {
        if error.code == .notFound { return .error(.notFound, code: "not_found", message: error.message) }
        if error.code == .store {
            if let storeError = error.underlying as? StoreError {
                var response = APIErrorMapping.response(for: storeError)
                if error.message.hasPrefix("import stopped") {
                    response = .error(response.status, code: "import_interrupted", message: error.message, headers: response.headers)
                }
                return response
            }
            return .error(.internalServerError, code: "store_error", message: "the database reported an error")
        }
        return .error(.badRequest, code: snakeCase("\(error.code)"), message: error.message)
    }

    /// `invalidAddress` → `invalid_address`, the error code spelling of the API.
    static func snakeCase(_ name: String) -> String {
        var out = ""
        for character in name {
            if character.isUppercase {
                out += "_" + character.lowercased()
            } else {
                out.append(character)
            }
        }
        return out
    }

    private static func importBody(_ request: HTTPRequest, _ service: SuppressionService) async -> HTTPResponse {
        let format: ImportFormat
        if let name = request.query("format") {
            guard let parsed = ImportFormat(rawValue: name.lowercased()) else {
                return .error(.badRequest, code: "invalid_format", message: "format must be csv or jsonl")
            }
            format = parsed
        } else {
            let type = request.headers["content-type"]?.lowercased() ?? ""
            format = type.contains("ndjson") || type.contains("jsonl") || type.contains("json-seq") ? .jsonl : .csv
        }
        var importer = service.makeImport(format: format, source: "api")
        do throws(SuppressionServiceError) {
            if let stream = request.bodyStream {
                var chunks = stream.makeAsyncIterator()
                while true {
                    let chunk: [UInt8]?
                    do { chunk = try await chunks.next() } catch {
                        return await bodyFailed(error, importer: &importer)
                    }
                    guard let chunk else { break }
                    try await importer.feed(chunk)
                }
            } else {
                try await importer.feed(request.body)
            }
            return .json(.ok, try await importer.finish())
        } catch {
            return response(for: error)
        }
    }

    /// The answer when the body stream failed midway: the rows parsed before the failure are committed
    /// (the last partial chunk too) and every write has ended, then the error carries the import report.
    /// The route answers body failures (`answersBodyFailure`), so the client gets it on a framing error too
    /// (too large, bad chunking, too slow); a client that went away gets nothing, the log line
    /// `suppression.import_cut_short` has the count.
    private static func bodyFailed(_ error: any Error, importer: inout SuppressionImport) async -> HTTPResponse {
        let report: ImportReport
        do { report = try await importer.finishAfterInputFailure() } catch { return response(for: error) }
        let done = "\(report.imported) rows before the failure were imported, \(report.rejected) rejected"
        if let error = error as? HTTPServerError, error.code == .bodyTooLarge {
            return .json(.contentTooLarge, ImportFailureWire(
                code: "body_too_large", message: "import bodies are limited to \(importBodyLimit / 1_048_576) MiB; \(done)", report: report))
        }
        if let error = error as? HTTPServerError, error.code == .bodyTimeout {
            return .json(.requestTimeout, ImportFailureWire(code: "body_timeout", message: "the request body stopped or came too slowly; \(done)", report: report))
        }
        // Client gone, bad chunking (the stream fails with `HTTPServerError` only).
        return .json(.badRequest, ImportFailureWire(code: "body_read_failed", message: "the request body could not be read; \(done)", report: report))
    }

    private static func export(_ request: HTTPRequest, _ service: SuppressionService, spreadsheet: Bool) -> HTTPResponse {
        let gzip = acceptsGzip(request.headers["accept-encoding"])
        var headers = HTTPHeaders()
        headers.set("Content-Type", "text/csv; charset=utf-8")
        headers.set("Content-Disposition", "attachment; filename=\"suppressions.csv\"")
        headers.set("Vary", "Accept-Encoding")
        if gzip { headers.set("Content-Encoding", "gzip") }
        let logger = service.logger
        let stream = HTTPResponseStream { writer in
            do {
                _ = try await service.export(gzip: gzip, spreadsheet: spreadsheet) { bytes in try await writer.write(bytes) }
            } catch {
                // Headers are gone already: ending the stream early is the only signal left.
                logger.warning("suppression.export_failed", metadata: ["error": "\(error)"])
                throw error
            }
        }
        return HTTPResponse(status: .ok, headers: headers, body: .stream(stream))
    }

    /// Whether `Accept-Encoding` allows gzip (present with q > 0).
    static func acceptsGzip(_ header: String?) -> Bool {
        guard let header else { return false }
        for part in header.lowercased().split(separator: ",") {
            let pieces = part.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
            guard pieces.first == "gzip" || pieces.first == "x-gzip" else { continue }
            let q = pieces.dropFirst().first { $0.hasPrefix("q=") }.flatMap { Double($0.dropFirst(2)) } ?? 1
            return q > 0
        }
        return false
    }
}

/// An import whose body failed midway: the API error object, plus the `ImportReport` fields of the rows
/// written before the failure.
struct ImportFailureWire: Encodable {
    struct Failure: Encodable {
        var code: String
        var message: String
    }

    var error: Failure
    var imported: Int
    var rejected: Int
    var errors: [ImportReport.RowError]

    init(code: String, message: String, report: ImportReport) {
        error = Failure(code: code, message: message)
        imported = report.imported
        rejected = report.rejected
        errors = report.errors
    }
}
