import SluiceCore
import SluiceHTTP

/// Registers the SNS endpoint: `POST <sns.path>` and `POST <sns.path>/{name}`.
enum SNSRoutes {
    /// - Parameter settings: nil reads `sns.*` from the context's configuration (tests pass their own).
    /// - Throws: `SNSVerificationError` when the policy or the CA file is unusable.
    static func register(on router: inout Router, context: AppContext, settings: SNSEndpointSettings? = nil) throws {
        let settings = settings ?? SNSEndpointSettings(configuration: context.configuration)
        let endpoint = try SNSEndpoint(context: context, settings: settings)
        let options = RouteOptions(bodyLimit: settings.maxBodyBytes)
        let path = settings.path.count > 1 && settings.path.hasSuffix("/") ? String(settings.path.dropLast()) : settings.path
        router.add(.POST, path, options: options) { request in
            await endpoint.handle(request, endpoint: "default")
        }
        router.add(.POST, (path == "/" ? "" : path) + "/{name}", options: options) { request in
            let name = request.pathParameters["name"] ?? ""
            guard isEndpointName(name) else { return endpoint.refuseEndpointName(request) }
            return await endpoint.handle(request, endpoint: name)
        }
        if !settings.autoConfirm {
            context.logger.info("sns.auto_confirm is off: confirm subscriptions with `sluice sns confirm <topic>`")
        }
    }

    static func isEndpointName(_ name: String) -> Bool {
        (1...64).contains(name.utf8.count)
            && name.utf8.allSatisfy { c in
                (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A) || c == 0x5F || c == 0x2D
            }
    }
}
