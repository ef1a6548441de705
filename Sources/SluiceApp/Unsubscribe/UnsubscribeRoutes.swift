import Foundation
import SluiceCore
import SluiceCrypto
import SluiceHTTP

/// `GET /u/{token}` (confirmation page, never unsubscribes: link scanners follow GETs) and
/// `POST /u/{token}` (RFC 8058 one-click: suppresses at once, 200, no redirect). No bearer auth:
/// recipients and their mailbox providers call these; the token is the credential.
enum UnsubscribeRoutes {
    /// Largest accepted POST body (RFC 8058 bodies are a few dozen bytes).
    static let bodyLimit = 4096

    static func register(on router: inout Router, context: AppContext) {
        let settings = UnsubscribeSettings(configuration: context.configuration)
        router.add(.GET, "/u/{token}", options: RouteOptions(redactsPath: true)) { request in
            switch verify(request, settings: settings, context: context) {
            case .failure(let failure): return failure.response
            case .success(let token): return page(UnsubscribePage.confirm(token))
            }
        }
        router.add(.POST, "/u/{token}", options: RouteOptions(bodyLimit: bodyLimit, redactsPath: true)) { request in
            let token: UnsubscribeToken
            switch verify(request, settings: settings, context: context) {
            case .failure(let failure): return failure.response
            case .success(let verified): token = verified
            }
            guard isOneClick(request) else {
                return page(UnsubscribePage.message("This request is missing List-Unsubscribe=One-Click."), status: .badRequest)
            }
            do {
                let created = try await UnsubscribeService(context: context).unsubscribe(token)
                if created {
                    context.metrics.count("sluice_unsubscribes_total", help: "One-click unsubscribes recorded (repeats not counted).")
                }
                return page(UnsubscribePage.done(token))
            } catch {
                context.logger.warning("unsubscribe could not be stored", metadata: ["error": "\(error)"])
                return page(UnsubscribePage.message("Your request could not be saved. Please try again later."), status: .serviceUnavailable)
            }
        }
    }

    /// The token, or the refusal page. Refusals are logged and counted by reason (never with the token, a
    /// credential): a reader whose link stopped working (expired, a key dropped too early) stays subscribed,
    /// and the operator should see it.
    private static func verify(_ request: HTTPRequest, settings: UnsubscribeSettings, context: AppContext) -> Result<UnsubscribeToken, Failure> {
        func refuse(_ reason: String, _ text: String) -> Result<UnsubscribeToken, Failure> {
            context.logger.notice("unsubscribe link refused", metadata: ["unsubscribe.reason": "\(reason)", "method": "\(request.method)"])
            context.metrics.count(
                "sluice_unsubscribe_refusals_total", help: "Unsubscribe links refused, by reason.", labels: ["reason": reason])
            return .failure(Failure(page(UnsubscribePage.message(text), status: .badRequest)))
        }
        guard let codec = settings.codec else { return refuse("not_configured", "This unsubscribe link is not valid.") }
        do {
            return .success(try codec.verify(request.pathParameters["token"] ?? "", now: context.now()))
        } catch {
            let text = error.code == .expired ? "This unsubscribe link has expired." : "This unsubscribe link is not valid."
            // The codes as metric labels: unknownKey → unknown_key.
            let reason = "\(error.code)".reduce(into: "") { label, c in label += c.isUppercase ? "_" + c.lowercased() : String(c) }
            return refuse(reason, text)
        }
    }

    /// The body names `List-Unsubscribe=One-Click`, form-urlencoded or multipart/form-data (RFC 8058 §3.1).
    static func isOneClick(_ request: HTTPRequest) -> Bool {
        let body = String(decoding: request.body, as: UTF8.self)
        let type = request.headers["content-type"]?.lowercased() ?? ""
        if type.hasPrefix("multipart/form-data") {
            // One part named List-Unsubscribe whose content is One-Click.
            guard let name = body.range(of: "name=\"List-Unsubscribe\"", options: .caseInsensitive) else { return false }
            let rest = body[name.upperBound...]
            guard let blank = rest.range(of: "\r\n\r\n") ?? rest.range(of: "\n\n") else { return false }
            return rest[blank.upperBound...].hasPrefix("One-Click")
        }
        for pair in body.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1).map {
                String($0).replacingOccurrences(of: "+", with: " ").removingPercentEncoding?.trimmingCharacters(in: .whitespacesAndNewlines)
            }
            if parts.count == 2, parts[0] == "List-Unsubscribe", parts[1] == "One-Click" { return true }
        }
        return false
    }

    private static func page(_ html: String, status: HTTPStatus = .ok) -> HTTPResponse {
        var headers = HTTPHeaders()
        headers.set("Cache-Control", "no-store")
        // The token is in the URL: never leak it to other sites, never index it.
        headers.set("Referrer-Policy", "no-referrer")
        headers.set("X-Robots-Tag", "noindex, nofollow")
        headers.set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'")
        return .html(status, html, headers: headers)
    }

    private struct Failure: Error {
        let response: HTTPResponse
        init(_ response: HTTPResponse) { self.response = response }
    }
}
