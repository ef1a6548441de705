import Foundation
import SluiceCore

extension SendEngine {
    /// A change that keeps failing is logged again at most this often.
    static let recordLogInterval: Duration = .seconds(60)
    /// Tries left (a second apart) once the engine is stopping.
    static let recordTriesWhenStopping = 3

    /// Runs `change` (a queue update for one claim) until it succeeds. It records what only this process knows
    /// (SES's answer, or that no call was made), so while the process runs it is tried again, `recordPause` apart
    /// at first, doubling up to `maxRecordPause`, logged at most once per `recordLogInterval`. Meanwhile the
    /// message stays in `inflight` (its task has not ended), so this process's crash recovery leaves its row
    /// alone. Each change applies to one claim only (its `claimed_at`), so a try that committed unseen makes the
    /// next a no-op, and a claim another instance recovered meanwhile is left to it. Every failed try counts in
    /// `sluice_send_record_failures_total`.
    ///
    /// Gives up when the engine stops (after `recordTriesWhenStopping` more tries), at `deadline`, or at once on an
    /// error no retry can mend (`isPermanent`); the row then stays `sending` and crash recovery resolves it after
    /// `inflightRecoveryAge`.
    /// - Returns: whether the change was made.
    @discardableResult
    func recordRetrying(
        _ failure: String, id: String, until deadline: ContinuousClock.Instant? = nil, _ change: () async throws -> Void
    ) async -> Bool {
        var tries = 0
        var triesWhileStopping = 0
        var pause = configuration.recordPause
        var lastLog: ContinuousClock.Instant?
        while true {
            tries += 1
            do {
                try await change()
                if tries > 1 {
                    context.logger.notice("\(failure): recorded after all", metadata: ["send.message_id": "\(id)", "send.record_tries": "\(tries)"])
                }
                return true
            } catch {
                context.metrics.count("sluice_send_record_failures_total", help: "Failed tries to record a send outcome or release in the queue (each is retried).")
                if isStopping { triesWhileStopping += 1 }
                let pastDeadline = deadline.map { ContinuousClock.now >= $0 } ?? false
                if Self.isPermanent(error) {
                    context.logger.error("\(failure); the store refuses it for good, not retried: crash recovery resolves it", metadata: [
                        "send.message_id": "\(id)", "send.record_tries": "\(tries)", "error": "\(error)",
                    ])
                    return false
                }
                if triesWhileStopping >= Self.recordTriesWhenStopping || pastDeadline {
                    context.logger.error("\(failure); giving up: crash recovery resolves it", metadata: [
                        "send.message_id": "\(id)", "send.record_tries": "\(tries)", "error": "\(error)",
                    ])
                    return false
                }
                let now = ContinuousClock.now
                if lastLog.map({ now - $0 >= Self.recordLogInterval }) ?? true {
                    lastLog = now
                    context.logger.error("\(failure); will try again", metadata: [
                        "send.message_id": "\(id)", "send.record_tries": "\(tries)", "send.retry_in": "\(pause)", "error": "\(error)",
                    ])
                }
                await pauseUnlessStopping(isStopping ? .seconds(1) : pause)
                pause = min(pause * 2, configuration.maxRecordPause)
            }
        }
    }

    /// Whether the store refused a change in a way trying again cannot change (bad input, a constraint, a
    /// corrupt row), as opposed to an outage (busy, unavailable, I/O) that may pass.
    static func isPermanent(_ error: any Error) -> Bool {
        guard let code = (error as? StoreError)?.code else { return false }
        return code == .invalidInput || code == .constraint || code == .corrupt
    }

    /// Whether the engine is shutting down (its task, or the task this runs in, was cancelled).
    var isStopping: Bool { Task.isCancelled || stopping.withLock { $0 } }

    /// Sleeps `duration` in steps of a second at most, ending early once the engine stops (after one step at
    /// least). Each step runs in an unstructured task: a cancelled caller would otherwise not sleep at all.
    private func pauseUnlessStopping(_ duration: Duration) async {
        var left = duration
        repeat {
            let step = min(left, .seconds(1))
            await Task { try? await Task.sleep(for: step) }.value
            left -= step
        } while left > .zero && !isStopping
    }
}
