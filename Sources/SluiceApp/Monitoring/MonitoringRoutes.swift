import Foundation
import SluiceCore
import SluiceHTTP

/// `GET /` (status page, no auth), `GET /v1/stats`, `GET /v1/alerts` and the `/v1/sending` routes.
enum MonitoringRoutes {
    static func register(on router: inout Router, context: AppContext, quotaProvider: (any SendQuotaProvider)? = nil) {
        let auth = BearerAuthenticator(tokens: context.configuration.strings("api.tokens"))
        let service = MonitoringService(
            store: context.store, configuration: MonitoringConfiguration(configuration: context.configuration), quotaProvider: quotaProvider
        )
        let cache = StatusPageCache()
        router.add(.GET, "/") { _ in
            do throws(StoreError) {
                let page = try await cache.page { () async throws(StoreError) -> String in
                    StatusPageRenderer.render(try await service.statusSnapshot(now: context.now()))
                }
                var headers = HTTPHeaders()
                // Inline CSS and SVG only: nothing else may load.
                headers.set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'")
                headers.set("Cache-Control", "no-store")
                return .html(.ok, page, headers: headers)
            } catch {
                return APIErrorMapping.response(for: error)
            }
        }
        router.add(.GET, "/v1/stats") { request in
            guard auth.isAuthorized(request) else { return BearerAuthenticator.unauthorized() }
            do throws(StoreError) {
                return json(try await service.report(now: context.now()))
            } catch {
                return APIErrorMapping.response(for: error)
            }
        }
        router.add(.GET, "/v1/alerts") { request in
            guard auth.isAuthorized(request) else { return BearerAuthenticator.unauthorized() }
            do throws(StoreError) {
                return json(try await service.alerts())
            } catch {
                return APIErrorMapping.response(for: error)
            }
        }
        SendingRoutes.register(on: &router, context: context, auth: auth, sending: service.sending)
    }

    /// 200 with `value` in the monitoring JSON form.
    static func json(_ value: some Encodable) -> HTTPResponse {
        guard let bytes = try? MonitoringJSON.encode(value) else {
            return .error(.internalServerError, code: "encoding_failed", message: "could not encode the response")
        }
        return .json(.ok, bytes: bytes)
    }
}
