import SluiceCore
import SluiceHTTP

/// `/healthz` (alive) and `/readyz` (database writable, not draining) for load balancers.
enum ProbeRoutes {
    struct Probe: Encodable {
        var status: String
        var reason: String?
    }

    static func register(on router: inout Router, context: AppContext) {
        // /healthz and /metrics never wait: synchronous routes, answered on the event loop without a
        // task. /readyz awaits a store check, so it stays async.
        // The liveness body never changes: encoded once, not per probe.
        let alive = HTTPResponse.json(.ok, Probe(status: "ok"))
        router.addSync(.GET, "/healthz") { _ in alive }
        router.add(.GET, "/readyz") { _ in
            if context.state.isDraining {
                return .json(.serviceUnavailable, Probe(status: "unavailable", reason: "draining: the service is shutting down"))
            }
            do throws(StoreError) {
                try await context.store.checkWritable()
            } catch {
                // The file-gone message names no path; it says what happened, which the code alone does not.
                let detail = error.code == .fileReplaced ? "\(error.code): \(error.message)" : "\(error.code)"
                return .json(.serviceUnavailable, Probe(status: "unavailable", reason: "database not writable: \(detail)"))
            }
            return .json(.ok, Probe(status: "ready"))
        }
        let groupCommit = GroupCommitMetrics(registry: context.metrics.registry, store: context.store)
        router.addSync(.GET, "/metrics") { _ in
            groupCommit?.refresh()
            var headers = HTTPHeaders()
            headers.set("Content-Type", MetricsRegistry.contentType)
            return HTTPResponse(status: .ok, headers: headers, body: .bytes(Array(context.metrics.registry.render().utf8)))
        }
    }
}
