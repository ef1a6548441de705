import Foundation

extension SendEngine {
    /// Tries to record a change to a claimed message, a second apart.
    static let recordAttempts = 3

    /// Runs `change` (a queue update for one claim) until it succeeds, up to `recordAttempts` times. Each
    /// change applies to one claim only (its `claimed_at`), so a try that committed unseen makes the next a
    /// no-op. When every try fails the row stays `sending`: crash recovery resolves it after
    /// `inflightRecoveryAge`, and `failure` is logged as an error.
    func recordRetrying(_ failure: String, id: String, _ change: () async throws -> Void) async {
        for attempt in 1...Self.recordAttempts {
            do {
                try await change()
                return
            } catch {
                guard attempt == Self.recordAttempts else {
                    try? await Task.sleep(for: .seconds(1))
                    continue
                }
                context.logger.error("\(failure)", metadata: ["send.message_id": "\(id)", "error": "\(error)"])
            }
        }
    }
}
