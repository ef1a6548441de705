import Foundation
import SluiceCore
import SluiceHTTP

/// `GET /v1/sending`, `POST /v1/sending/pause` (optional `{"reason": "..."}`), `POST /v1/sending/resume`.
enum SendingRoutes {
    /// Longest accepted pause reason, in code points (JSON Schema's maxLength in `Config/openapi.yaml`).
    static let maxReasonLength = 500
    /// Room for a reason of `maxReasonLength` code points each written as a JSON surrogate-pair escape.
    static let pauseBodyLimit = 16 * 1024

    struct PauseBody: Decodable {
        var reason: String?
    }

    static func register(on router: inout Router, context: AppContext, auth: BearerAuthenticator, sending: SendingControl) {
        let gauges = MonitorGauges(metrics: context.metrics)
        router.add(.GET, "/v1/sending") { request in
            guard auth.isAuthorized(request) else { return BearerAuthenticator.unauthorized() }
            do throws(StoreError) {
                return MonitoringRoutes.json(SendingStateView(try await sending.state(), queue: try await context.store.queueCountsByStateName()))
            } catch {
                return APIErrorMapping.response(for: error)
            }
        }
        router.add(.POST, "/v1/sending/pause", options: RouteOptions(bodyLimit: pauseBodyLimit, authorization: auth.routeAuthorization)) { request in
            guard auth.isAuthorized(request) else { return BearerAuthenticator.unauthorized() }
            let reason: String
            switch parseReason(request.body) {
            case .success(let r): reason = r
            case .failure(let problem): return .error(.badRequest, code: "invalid_body", message: problem.message)
            }
            do throws(StoreError) {
                let state = try await sending.pause(reason: reason, source: .operator, at: context.now())
                gauges.update(sending: state)
                context.logger.notice("sending paused by operator", metadata: ["request.id": "\(request.requestId)", "sending.reason": "\(reason)"])
                return MonitoringRoutes.json(SendingStateView(state, queue: try await context.store.queueCountsByStateName()))
            } catch {
                return APIErrorMapping.response(for: error)
            }
        }
        router.add(.POST, "/v1/sending/resume", options: RouteOptions(bodyLimit: 4096, authorization: auth.routeAuthorization)) { request in
            guard auth.isAuthorized(request) else { return BearerAuthenticator.unauthorized() }
            do throws(StoreError) {
                let state = try await sending.resume()
                gauges.update(sending: state)
                context.logger.notice("sending resumed by operator", metadata: ["request.id": "\(request.requestId)"])
                return MonitoringRoutes.json(SendingStateView(state, queue: try await context.store.queueCountsByStateName()))
            } catch {
                return APIErrorMapping.response(for: error)
            }
        }
    }

    struct BodyProblem: Error {
        var message: String
    }

    /// The reason from an optional JSON body; a default when the body or the field is absent.
    static func parseReason(_ body: [UInt8]) -> Result<String, BodyProblem> {
        let fallback = "paused by operator"
        guard body.contains(where: { !($0 == 32 || $0 == 9 || $0 == 10 || $0 == 13) }) else { return .success(fallback) }
        guard let parsed = try? JSONDecoder().decode(PauseBody.self, from: Data(body)) else {
            return .failure(BodyProblem(message: "body must be a JSON object like {\"reason\": \"...\"}"))
        }
        guard let given = parsed.reason else { return .success(fallback) }
        // Counted as sent, in code points, as the API document's maxLength counts.
        guard given.unicodeScalars.count <= maxReasonLength else {
            return .failure(BodyProblem(message: "reason must be at most \(maxReasonLength) characters"))
        }
        let reason = given.trimmingCharacters(in: .whitespacesAndNewlines)
        return .success(reason.isEmpty ? fallback : reason)
    }
}
