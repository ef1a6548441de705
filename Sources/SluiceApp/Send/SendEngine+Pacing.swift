import Foundation
import SluiceCore

extension SendEngine {
    /// The due messages that may go now under `pacing.*`; the others are made due later in the store
    /// (one transaction), so the next `readyMessages` reaches other groups' mail.
    /// Messages in `excluding` (calls already in flight) pass through untouched; the dispatcher skips them.
    func paced(_ ready: [ReadyMessage], excluding inflight: Set<String>) async -> [ReadyMessage] {
        guard pacing.isEnabled, !ready.isEmpty else { return ready }
        // The deferrals are due times: from `dueNow`, as rows are listed (after a clock step back, not already due).
        let now = dueNow()
        var go: [ReadyMessage] = []
        var later: [String: Date] = [:]
        // Messages whose paced turn has come go first, even when older ungrouped mail fills `ready`.
        var seen = Set(ready.map(\.id))
        var candidates: [ReadyMessage] = []
        for id in await pacing.dueGrants(now: now, lead: configuration.reservationLead, limit: 64) where !seen.contains(id) && !inflight.contains(id) {
            let read: QueuedMessage?
            do {
                read = try await context.store.queuedMessage(id: id)
            } catch {
                // A failed read says nothing of the message: it keeps its slot, and is read again with `ready`
                // (where an unreadable row is failed) or on the next pass.
                continue
            }
            guard let queued = read, queued.state == .queued else {
                await pacing.drop(id)
                continue
            }
            seen.insert(id)
            // The stored payload's size (it is stored as `jsonBytes`), for `ses.max_inflight_bytes`.
            candidates.append(ReadyMessage(
                id: id, identity: queued.message.identity, recipientCount: queued.message.recipients.count,
                payloadBytes: queued.message.jsonBytes().count))
        }
        for message in candidates + ready {
            if inflight.contains(message.id) {
                go.append(message)
                continue
            }
            let read: QueuedMessage?
            do {
                read = try await context.store.queuedMessage(id: message.id)
            } catch {
                // An unreadable payload goes on to `process`, which fails it (nothing is sent). Any other error
                // skips it this pass, backed off (and made due later in the store): it must not go unpaced.
                if error.code == .corrupt {
                    go.append(message)
                } else {
                    await stepFailed(message.id, error: error)
                }
                continue
            }
            guard let queued = read, queued.state == .queued else { continue }
            switch await pacing.admit(
                id: message.id, recipients: queued.message.recipients, identity: message.identity, now: now,
                lead: configuration.reservationLead)
            {
            case .go: go.append(message)
            case .later(let date): later[message.id] = date
            }
        }
        if !later.isEmpty {
            do {
                _ = try await context.store.deferQueued(later, at: now)
                context.metrics.count("sluice_send_paced_total", help: "Messages made due later by per-ISP pacing or warm-up.", by: UInt64(later.count))
            } catch {
                context.logger.warning("pacing: cannot defer messages; they stay due", metadata: ["error": "\(error)"])
            }
        }
        return go
    }

    /// Seeds warm-up counts from today's durable send counters.
    func seedPacing() async {
        guard pacing.isEnabled else { return }
        let now = context.now()
        if let counters = try? await context.store.hourlyCounters(from: WarmupSchedule.dayStart(of: now), to: now.addingTimeInterval(3600)) {
            await pacing.seed(from: counters, now: now)
        }
    }
}
