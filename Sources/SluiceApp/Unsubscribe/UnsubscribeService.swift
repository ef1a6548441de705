import Foundation
import SluiceCore
import SluiceCrypto

/// Records a verified one-click unsubscribe as a suppression (reason `unsubscribed`).
struct UnsubscribeService: Sendable {
    let context: AppContext

    /// Suppresses the token's recipient in its list's scope (global without a list). Idempotent: when a
    /// permanent suppression of that address and scope already exists nothing changes.
    /// - Returns: whether a row was written.
    func unsubscribe(_ token: UnsubscribeToken) async throws(StoreError) -> Bool {
        let address = context.normalizer.normalize(token.recipient)?.normalized ?? token.recipient.lowercased()
        let scope = token.list ?? ""
        let existing = try await context.store.suppressions(of: address)
        if existing.contains(where: { $0.scope == scope && $0.expiresAt == nil }) { return false }
        let now = context.now()
        try await context.store.putManual(Suppression(
            address: address, originalAddress: token.recipient, scope: scope, reason: .unsubscribed,
            detail: "one-click unsubscribe", firstSeen: now, source: "unsubscribe:\(token.keyId ?? "-")"))
        context.logger.info("suppression.unsubscribed", metadata: ["suppression.scope": "\(scope)"])
        return true
    }
}
