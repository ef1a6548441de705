import Foundation
import Logging
import SluiceCore
import SluiceCrypto

/// Compresses the audit copies that ingest committed uncompressed, off the request path.
///
/// Reads a batch of pending blobs (packs of one group commit's bodies, or single copies), deflates them on
/// the idle-priority thread (so under load it waits and requests keep the CPU), then swaps them for their
/// zlib streams in one commit. A crash anywhere in between leaves each blob complete in one of its two
/// forms; the next pass picks up what is left.
/// While notifications keep arriving it runs at most one batch per `busyPause`, so its writes do not
/// lengthen the group commits that requests wait for; once ingest is quiet it catches up at full speed.
/// That cadence compresses ~128 copies/s, so a stream sustained above it would grow the backlog (each
/// copy ~2 KB more on disk) for as long as it lasts: beyond `maxDeferred` pending copies the worker
/// stops holding back and runs batches back to back until the backlog is under the bound again.
/// On a database several instances share, one of them compresses (leadership `audit-compressor`): each
/// would read the same oldest blobs, deflate them, and all but one would find them replaced already.
struct AuditCopyCompressor: BackgroundWorker {
    let name = "sns-audit-compressor"
    let store: any AuditCopyStore
    let logger: Logger
    /// Blobs per batch, and their total size bound.
    var batchSize = 256
    var maxBatchBytes = 4 << 20
    /// Pause when nothing is pending (or after a failure).
    var idleInterval: Duration = .seconds(1)
    /// zlib level, with zlib's default state (32 KiB window, memLevel 8): on ~2 KB SNS bodies it deflated
    /// ~20 µs faster per copy than the compact state (4 KiB, memLevel 4), into slightly smaller streams, and
    /// a pack's bodies share its window (BENCHMARKS.md).
    var level: Int32 = 1
    /// Ingest counts as busy when a message was stored this recently.
    var quietPeriod: Duration = .milliseconds(250)
    /// While busy: the pause before the next batch anyway (so a steady stream still gets compressed).
    var busyPause: Duration = .seconds(2)
    /// Uncompressed copies beyond which the worker no longer waits for a quiet moment (~200 MB of 2 KB bodies).
    var maxDeferred = 100_000
    let activity: IngestActivity

    private let pool: DeflatePool

    init(
        store: any AuditCopyStore, logger: Logger, level: Int32 = 1, idleInterval: Duration = .seconds(1),
        activity: IngestActivity = .shared
    ) {
        self.store = store
        self.logger = logger
        self.level = level
        self.idleInterval = idleInterval
        self.activity = activity
        pool = DeflatePool(level: level, compact: false, maxIdle: 1)
    }

    func run() async {
        var catchingUp = false
        // Copies to compress before counting again: the count walks up to `maxDeferred` index entries, so
        // while catching up on full batches it is taken every `maxDeferred / 8` copies, not before each batch.
        var copiesBeforeCount = 0
        while !Task.isCancelled {
            guard await leads() else {
                try? await Task.sleep(for: followerInterval)
                continue
            }
            if activity.isBusy(within: quietPeriod) {
                if !catchingUp || copiesBeforeCount <= 0 {
                    copiesBeforeCount = max(1, maxDeferred / 8)
                    let overBound = await backlogIsOverBound()
                    if overBound != catchingUp {
                        catchingUp = overBound
                        logCatchUp(catchingUp)
                    }
                }
                if !catchingUp { await waitForQuiet() }
            }
            let outcome = await runOnce()
            // A batch short of full means the backlog is nearly gone: count again before the next one.
            copiesBeforeCount = outcome.pending >= batchSize ? copiesBeforeCount - outcome.copies : 0
            if outcome.pending == 0 || outcome.failed { try? await Task.sleep(for: idleInterval) }
        }
    }

    /// How often an instance that does not compress asks again (the leader may have gone).
    var followerInterval: Duration = .seconds(10)
    static let leadershipRole = "audit-compressor"

    /// Whether this instance compresses: always on a store of its own; on a shared one, while it leads.
    func leads() async -> Bool {
        guard let election = store as? any LeaderElection else { return true }
        return (try? await election.holdsLeadership(Self.leadershipRole)) == true
    }

    /// Whether at least `maxDeferred` copies wait; false when the store cannot say (the pause then applies).
    private func backlogIsOverBound() async -> Bool {
        guard let pending = try? await store.uncompressedAuditCopyCount(upTo: maxDeferred) else { return false }
        return pending >= maxDeferred
    }

    private func logCatchUp(_ catchingUp: Bool) {
        if catchingUp {
            logger.notice(
                "SNS audit copies pile up under sustained load; compressing without waiting for a quiet moment",
                metadata: ["sns.audit_pending_at_least": "\(maxDeferred)"])
        } else {
            logger.info("SNS audit-copy backlog back under its bound", metadata: ["sns.audit_pending_below": "\(maxDeferred)"])
        }
    }

    /// Returns once ingest has been quiet for `quietPeriod`, or after `busyPause` at the latest.
    private func waitForQuiet() async {
        var waited = Duration.zero
        while activity.isBusy(within: quietPeriod), waited < busyPause, !Task.isCancelled {
            try? await Task.sleep(for: quietPeriod)
            waited += quietPeriod
        }
    }

    /// What one pass did.
    struct Pass: Sendable, Equatable {
        /// Uncompressed blobs found.
        var pending = 0
        /// Blobs replaced by their zlib form.
        var replaced = 0
        /// Message copies in the replaced blobs.
        var copies = 0
        var failed = false
    }

    /// One batch: find, compress, replace.
    func runOnce() async -> Pass {
        var pass = Pass()
        let blobs: [AuditBlob]
        do {
            blobs = try await store.uncompressedAuditBlobs(limit: batchSize, maxBytes: maxBatchBytes)
        } catch {
            logger.warning("cannot read audit copies to compress; will retry", metadata: ["error": "\(error)"])
            pass.failed = true
            return pass
        }
        pass.pending = blobs.count
        guard !blobs.isEmpty else { return pass }
        let pool = self.pool
        guard let compressed = await IdlePriorityThread.shared.run({ Self.compress(blobs, with: pool) }) else {
            return pass  // cancelled: the blobs stay uncompressed and readable
        }
        if compressed.count < blobs.count {
            logger.error("cannot compress some SNS audit copies; kept uncompressed", metadata: ["sns.audit_failed": "\(blobs.count - compressed.count)"])
        }
        do {
            pass.replaced = try await store.replaceAuditBlobs(compressed)
            // A blob skipped by the store (purged meanwhile) still counts: the estimate only paces recounts.
            pass.copies = compressed.reduce(0) { $0 + $1.copies }
        } catch {
            logger.warning("cannot store compressed audit copies; will retry", metadata: ["error": "\(error)"])
            pass.failed = true
        }
        return pass
    }

    private static func compress(_ blobs: [AuditBlob], with pool: DeflatePool) -> [AuditBlob] {
        blobs.compactMap { blob in
            (try? pool.compress(blob.bytes)).map { AuditBlob(owner: blob.owner, format: .zlib, bytes: $0, copies: blob.copies) }
        }
    }
}
