import Foundation
import SluiceAWS
import SluiceCore
import SluiceHTTP

/// The SES half of `DELETE /v1/suppressions/{address}?ses=true`.
enum SESSyncRoutes {
    /// Removes the local row (if any), then deletes at SES: 204, 404 when neither place listed it,
    /// 409 (nothing changed) when this configuration cannot reach SES, 503 (nothing changed) when its
    /// credentials give no keys now, 502 when SES failed (the local row stays removed).
    static func remove(_ raw: String, scope: String?, service: SuppressionService, sync: SESSyncService) async throws -> HTTPResponse {
        do {
            try await sync.checkAvailable()
        } catch let error as SESSyncService.Unavailable {
            // A configuration problem, not an outage: retrying will not help, and nothing was removed.
            return .error(.conflict, code: "ses_unavailable", message: "nothing removed: \(error.description)")
        } catch let error as SESSyncService.CredentialsFailing {
            var headers = HTTPHeaders()
            headers.set("Retry-After", "30")
            return .error(
                .serviceUnavailable, code: "ses_credentials_unavailable", message: "nothing removed: \(error.description)",
                headers: headers)
        }
        let removedLocally = try await removeLocally(raw, scope: scope, service: service)
        guard let address = service.normalizer.normalize(raw)?.normalized else {
            return .error(.badRequest, code: "invalid_address", message: "the address is not valid")
        }
        do {
            let listed = try await sync.deleteRemote(AddressNormalizer.addrSpec(ofKey: address))
            if !removedLocally && !listed { return .error(.notFound, code: "not_found", message: "the address is suppressed neither here nor at SES") }
            return HTTPResponse(status: .noContent)
        } catch let error as SESSyncService.Unavailable {
            return .error(.conflict, code: "ses_unavailable", message: "\(removedLocally ? "removed locally; " : "")\(error.description)")
        } catch let error as SESError {
            return .error(.badGateway, code: "ses_delete_failed", message: "removed locally; SES DeleteSuppressedDestination failed: \(error.awsErrorType ?? error.code.description)")
        } catch {
            return .error(.badGateway, code: "ses_delete_failed", message: "removed locally; SES DeleteSuppressedDestination failed")
        }
    }

    /// The local removal; false when there was no row (other errors propagate).
    private static func removeLocally(_ raw: String, scope: String?, service: SuppressionService) async throws(SuppressionServiceError) -> Bool {
        do {
            try await service.remove(address: raw, scope: scope)
            return true
        } catch {
            if error.code == .notFound { return false }
            throw error
        }
    }
}
