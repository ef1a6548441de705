/// How often the writer logs its failures: the first of each kind at once, then at most one line per
/// `interval` with the count of those not logged meanwhile, so a full disk (every commit failing) warns
/// without flooding the log. After a failed commit, the next successful one is reported once.
/// Writer thread only.
struct FailureLogLimit {
    enum Kind: Hashable, CaseIterable {
        case begin, commit, batchAborted, checkpoint

        /// The log message: the names the writer has always used.
        var message: String {
            switch self {
            case .begin: "store.begin_failed"
            case .commit: "store.commit_failed"
            case .batchAborted: "store.batch_aborted"
            case .checkpoint: "store.checkpoint_failed"
            }
        }

        /// Whether the kind loses writes (a checkpoint failure only delays copying the WAL).
        var losesCommits: Bool { self != .checkpoint }
    }

    private struct Entry {
        var lastLogged: ContinuousClock.Instant
        var suppressed: Int
    }

    let interval: Duration
    private var entries: [Kind: Entry] = [:]
    /// Commits (begin, commit, batch) that failed since the last successful commit.
    private var failedCommits = 0

    init(interval: Duration = .seconds(10)) { self.interval = interval }

    /// Nil: do not log this failure; else log it, with this many earlier ones of its kind left unlogged.
    mutating func failed(_ kind: Kind, at now: ContinuousClock.Instant) -> Int? {
        if kind.losesCommits { failedCommits += 1 }
        guard var entry = entries[kind] else {
            entries[kind] = Entry(lastLogged: now, suppressed: 0)
            return 0
        }
        guard now - entry.lastLogged >= interval else {
            entry.suppressed += 1
            entries[kind] = entry
            return nil
        }
        let suppressed = entry.suppressed
        entries[kind] = Entry(lastLogged: now, suppressed: 0)
        return suppressed
    }

    /// After a successful commit: how many commits had failed before it (nil when none), once; the next
    /// failure is logged at once again.
    mutating func committed() -> Int? {
        guard failedCommits > 0 else { return nil }
        defer {
            failedCommits = 0
            for kind in Kind.allCases where kind.losesCommits { entries[kind] = nil }
        }
        return failedCommits
    }
}
