import Foundation
import Logging
import SluiceCore

/// Purges expired suppressions, old SNS message records, finished queue rows and old hourly counters on a
/// fixed cadence. Each purge runs in writer jobs of at most 5,000 rows, so ingest is never held up for long.
struct MaintenanceWorker: BackgroundWorker {
    let name = "maintenance"
    let context: AppContext
    var interval: Duration = .seconds(60)

    func run() async {
        while !Task.isCancelled {
            await runOnce()
            try? await Task.sleep(for: interval)
        }
    }

    /// One maintenance pass at `context.now()`; failures are logged and retried on the next pass.
    func runOnce() async {
        let configuration = context.configuration
        let day: TimeInterval = 86_400
        let now = context.now()
        do {
            let expired = try await context.store.purgeExpired(at: now)
            let messages = try await context.store.purgeMessages(olderThan: now.addingTimeInterval(-Double(configuration.int("sns.dedupe_retention_days")) * day))
            // The key's minimum (2 days) keeps finished messages longer than idempotency keys can replay them.
            let queued = try await context.store.purgeFinishedMessages(olderThan: now.addingTimeInterval(-Double(configuration.int("queue.retention_days")) * day))
            let counters = try await context.store.purgeHourlyCounters(olderThan: now.addingTimeInterval(-Double(configuration.int("monitoring.counter_retention_days")) * day))
            // A row per recipient event (deliveries included): without this the table grows with all mail ever sent.
            let history = try await context.store.purgeHistory(olderThan: now.addingTimeInterval(-Double(configuration.int("policy.history_retention_days")) * day))
            // A counter whose window ended is started over by the next bounce; kept past the window by the
            // replay window, since a late bounce of that window can still arrive and count in it.
            let replayWindow = Double(configuration.int("sns.max_age_seconds") + configuration.int("sns.max_future_skew_seconds"))
            let softBounces = try await context.store.purgeSoftBounces(
                windowStartedBefore: now.addingTimeInterval(-context.policy.configuration.softBounceWindow - replayWindow))
            if expired + messages + queued + counters + history + softBounces > 0 {
                context.logger.info("maintenance purged rows", metadata: [
                    "store.expired_suppressions": "\(expired)", "store.old_messages": "\(messages)",
                    "store.finished_messages": "\(queued)", "store.old_counters": "\(counters)",
                    "store.old_history": "\(history)", "store.old_soft_bounce_counters": "\(softBounces)",
                ])
            }
        } catch {
            context.logger.warning("maintenance failed; will retry", metadata: ["error": "\(error)"])
        }
    }
}
