import Foundation
import SluiceApp
import SluiceCore

/// `sluice suppressions remove ADDRESS --ses`: local row and SES account-level entry in one step.
enum SuppressionsSESRemove {
    static func run(_ global: GlobalOptions, address: String, scope: String?) async throws {
        let configuration = try global.loadConfiguration()
        try await SuppressionsSupport.withService(global) { service in
            guard let normalized = service.normalizer.normalize(address)?.normalized else {
                throw ExitFailure(code: 64, message: "error: the address is not valid")
            }
            // Before anything talks to SES: a usage error changes nothing.
            try service.checkSESRemovalScope(scope)
            let sync = SESSyncService(configuration: configuration, store: service.store, logger: service.logger, environment: ProcessInfo.processInfo.environment)
            // As `DELETE …?ses=true` (409): when SES cannot be reached, change nothing.
            do {
                try await sync.checkAvailable()
            } catch let error as SESSyncService.Unavailable {
                throw ExitFailure.configuration("nothing removed: " + error.description)
            } catch let error as SESSyncService.CredentialsFailing {
                throw ExitFailure.failure("nothing removed: " + error.description)
            }
            var removedLocally = true
            do {
                try await service.remove(address: address, scope: scope)
            } catch let error as SuppressionServiceError where error.code == .notFound {
                removedLocally = false
            }
            let listed: Bool
            do {
                listed = try await sync.deleteRemote(AddressNormalizer.addrSpec(ofKey: normalized))
            } catch let error as SESSyncService.Unavailable {
                throw ExitFailure.configuration((removedLocally ? "removed locally; " : "") + error.description)
            } catch {
                throw ExitFailure.failure((removedLocally ? "removed locally; " : "") + "SES DeleteSuppressedDestination failed: \(error)")
            }
            guard removedLocally || listed else { throw ExitFailure(code: 1, message: "the address is suppressed neither here nor at SES") }
            print(removedLocally ? (listed ? "removed (here and at SES)" : "removed (SES did not list it)") : "removed at SES (no local suppression)")
        }
    }
}
