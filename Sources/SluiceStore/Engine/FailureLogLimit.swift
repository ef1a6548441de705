/// How often the writer logs its failures: the first of each kind at once, then at most one line per
/// `interval` with the count of those not logged meanwhile, so a full disk (every commit failing) warns
/// without flooding the log. Successes do not reset the limit (failures alternating with successes, as
/// when one large job keeps hitting a full disk, stay limited); that commits work again is said at most
/// once an interval. Writer thread only.
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

        /// Whether the kind fails a whole commit. A batch abort fails only its culprit (the rest run again
        /// and usually commit); a checkpoint failure only delays copying the WAL: both are warnings.
        var losesCommits: Bool { self == .begin || self == .commit }
    }

    private struct Entry {
        var lastLogged: ContinuousClock.Instant
        var suppressed: Int
    }

    let interval: Duration
    private var entries: [Kind: Entry] = [:]
    /// Commits (begin, commit) that failed since commits were last reported working.
    private var failedCommits = 0
    private var lastResumed: ContinuousClock.Instant?

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

    /// After a successful commit: how many commits had failed since the last report, or nil when none did
    /// or the last report is less than `interval` ago (the count then carries over).
    mutating func committed(at now: ContinuousClock.Instant) -> Int? {
        guard failedCommits > 0 else { return nil }
        if let lastResumed, now - lastResumed < interval { return nil }
        lastResumed = now
        defer { failedCommits = 0 }
        return failedCommits
    }
}
