import SluiceHTTP

/// `POST /v1/messages` and `GET /v1/messages/{id}` (bearer auth like the rest of /v1).
enum SendRoutes {
    /// SES takes 40 MB after base64; the JSON around a raw message adds a little.
    static let bodyLimit = 40 * 1024 * 1024 + 256 * 1024

    static func register(on router: inout Router, context: AppContext) {
        let auth = BearerAuthenticator(tokens: context.configuration.strings("api.tokens"))
        let service = SendService(context: context)
        // The server checks the token on the head, before buffering up to `bodyLimit`; the handler
        // checks again so it stays safe however it is mounted.
        let options = RouteOptions(bodyLimit: bodyLimit, authorization: auth.routeAuthorization)
        router.add(.POST, "/v1/messages", options: options) { request in
            guard auth.isAuthorized(request) else { return BearerAuthenticator.unauthorized() }
            return await service.accept(body: request.body, idempotencyKey: request.headers["idempotency-key"])
        }
        router.add(.GET, "/v1/messages/{id}") { request in
            guard auth.isAuthorized(request) else { return BearerAuthenticator.unauthorized() }
            return await service.status(id: request.pathParameters["id"] ?? "")
        }
    }
}
