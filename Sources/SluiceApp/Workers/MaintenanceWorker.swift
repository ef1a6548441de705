import Foundation
import Logging
import SluiceCore

/// Purges expired suppressions and old SNS message records on a fixed cadence.
struct MaintenanceWorker: BackgroundWorker {
    let name = "maintenance"
    let context: AppContext
    var interval: Duration = .seconds(60)

    func run() async {
        let retention = TimeInterval(context.configuration.int("sns.dedupe_retention_days")) * 86_400
        while !Task.isCancelled {
            let now = context.now()
            do {
                let expired = try await context.store.purgeExpired(at: now)
                let messages = try await context.store.purgeMessages(olderThan: now.addingTimeInterval(-retention))
                if expired + messages > 0 {
                    context.logger.info("maintenance purged rows", metadata: ["store.expired_suppressions": "\(expired)", "store.old_messages": "\(messages)"])
                }
            } catch {
                context.logger.warning("maintenance failed; will retry", metadata: ["error": "\(error)"])
            }
            try? await Task.sleep(for: interval)
        }
    }
}
