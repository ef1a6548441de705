import Foundation
import Logging
import SluiceAWS
import SluiceCore

/// Two-way sync with the SES account-level suppression list.
///
/// - Push: local global hard bounces and complaints → `PutSuppressedDestination`, paced at `pushRate`,
///   retried with backoff on throttling and transient errors. Durable progress in the settings store
///   (`ses_sync.push`): a keyset cursor within a pass and the `lastSeen` watermark of the last full pass.
/// - Pull: `ListSuppressedDestinations` from the last `StartDate` watermark (`ses_sync.pull`), every page,
///   imported as reason `ses_account`, source `ses_account`. Addresses already suppressed globally here
///   keep their local row (reason and history are not overwritten).
/// - Delete: `DeleteSuppressedDestination`, where SES's 404 counts as done.
struct SESSuppressionSync: Sendable {
    /// Settings keys of the durable cursors.
    static let pushKey = "ses_sync.push"
    static let pullKey = "ses_sync.pull"
    /// Seconds each push pass reaches back before the previous one started (SQLite; see `push`).
    static let pushOverlap: TimeInterval = 1
    /// The same on a store several instances share (PostgreSQL).
    static let sharedStorePushOverlap: TimeInterval = 600
    /// Rows read per page while pushing.
    static let pageSize = 100
    /// Entries per ListSuppressedDestinations page (SES's largest): a list of a million takes 1,000 pages,
    /// about 17 minutes at the default `pullRate`.
    static let pullPageSize = 1000
    /// How far before a listing's start the next one reaches back (clock differences between here and SES).
    static let pullOverlap: TimeInterval = 600
    /// Most pages one pull reads (10^7 entries): a listing that long is an SES fault, not a list.
    static let maxPullPages = 10_000

    /// A pull that SES's paging would never end (a `NextToken` seen before, or too many pages).
    struct PagingError: Error, Sendable, CustomStringConvertible {
        let description: String
    }

    let store: any AppStore
    let client: SESClient
    let normalizer: AddressNormalizer
    let logger: Logger
    let now: @Sendable () -> Date
    /// PutSuppressedDestination calls per second.
    var pushRate: Double = 1
    /// ListSuppressedDestinations pages per second.
    var pullRate: Double = 1
    /// Retries of one call on throttling / transient errors.
    var backoff = Backoff(base: 0.5, cap: 30, maxRetries: 6)

    /// What one push run did.
    struct PushReport: Sendable, Equatable, Codable {
        var pushed = 0
        /// Refused by SES as invalid addresses (400 BadRequest: not retried; logged).
        var rejected = 0
    }

    /// What one pull run did.
    struct PullReport: Sendable, Equatable, Codable {
        var listed = 0
        var imported = 0
        var pages = 0
    }

    struct PushCursor: Codable, Equatable {
        /// Rows with `lastSeen >= since` are pushed (nil: every row, the first pass).
        var since: Double?
        /// When the pass in progress started (the next `since`).
        var passStarted: Double?
        /// Keyset position within the pass in progress.
        var after: String?
    }

    struct PullCursor: Codable, Equatable {
        /// `StartDate` of the next pull (epoch seconds).
        var start: Double?
        /// A listing in progress, saved after every page: an interrupted pull (a restart, an outage) goes on
        /// from its next page instead of from the first.
        var resume: Resume?

        struct Resume: Codable, Equatable {
            /// SES's `NextToken` for the next page.
            var token: String
            /// The newest `LastUpdateTime` listed so far (epoch seconds).
            var latest: Double?
            /// When the listing's first page was asked for (epoch seconds, this host's clock).
            var began: Double?
        }
    }

    // MARK: Push

    /// Pushes every local hard bounce and complaint changed since the last complete pass.
    /// Only a refusal of the row itself (400, bad request) skips it; any other failure (403 access denied, a
    /// paused account, retries used up) ends the pass without moving the cursor past the rows not yet pushed.
    /// - Throws: the first call that still fails after retries or is not about its row (progress so far is
    ///   kept), or a store error.
    func push() async throws -> PushReport {
        var cursor: PushCursor = try await load(Self.pushKey) ?? PushCursor()
        if cursor.passStarted == nil {
            cursor.passStarted = now().timeIntervalSince1970
            try await save(Self.pushKey, cursor)
        }
        var report = PushReport()
        var pacer = CallPacer(rate: pushRate)
        while true {
            try Task.checkCancellation()
            // By write time, not `since` (SES's event time): a bounce SNS delivers late was written after the
            // last pass, though it happened before it.
            var query = SuppressionQuery(
                activeAt: now(), limit: Self.pageSize, changedSince: cursor.since.map { Date(timeIntervalSince1970: $0) })
            query.cursor = cursor.after.flatMap(SuppressionCursor.init(token:))
            let page = try await store.list(query)
            for row in page.items where row.scope.isEmpty {
                let reason: SESSuppressionReason
                switch row.reason {
                case .hardBounce: reason = .bounce
                case .complaint: reason = .complaint
                default: continue
                }
                await pacer.wait()
                do {
                    try await withRetry("PutSuppressedDestination") {
                        try await client.putSuppressedDestination(email: AddressNormalizer.addrSpec(ofKey: row.address), reason: reason)
                    }
                    report.pushed += 1
                } catch let error as SESError where Self.refusesRow(error) {
                    report.rejected += 1
                    logger.warning("ses sync: SES refused a suppression; skipped", metadata: ["ses.error_type": "\(error.awsErrorType ?? "-")"])
                }
            }
            if let next = page.nextCursor {
                cursor.after = next.token
                try await save(Self.pushKey, cursor)
                continue
            }
            // Pass complete: the next pass takes rows written since this one started, less an overlap. SQLite
            // stamps a row as it commits (one writer, short transactions): a second covers clock steps. On a
            // shared PostgreSQL store a row is stamped when its statement runs and seen when its transaction
            // commits, up to an import chunk later: ten minutes of rows are pushed again (idempotent calls).
            let overlap = store is any LeaderElection ? Self.sharedStorePushOverlap : Self.pushOverlap
            cursor = PushCursor(since: (cursor.passStarted ?? now().timeIntervalSince1970) - overlap, passStarted: nil, after: nil)
            try await save(Self.pushKey, cursor)
            return report
        }
    }

    /// True when SES refused this row's content (the address), not the account or the call: 400 with a
    /// validation code (or none).
    static func refusesRow(_ error: SESError) -> Bool {
        guard error.code == .service, error.httpStatus == 400, error.retry == .permanent else { return false }
        return error.awsErrorType.map(rowErrorTypes.contains) ?? true
    }

    static let rowErrorTypes: Set<String> = ["BadRequestException", "InvalidParameterValue", "ValidationException"]

    // MARK: Pull

    /// Imports SES's entries updated since the last pull (all of them the first time), pages paced at
    /// `pullRate`, going on from the saved page of a pull that was interrupted.
    /// - Throws: `PagingError` when SES repeats a `NextToken` or pages past `maxPullPages` (the watermark
    ///   stays, and the next pull starts the listing over).
    func pull() async throws -> PullReport {
        let cursor: PullCursor = try await load(Self.pullKey) ?? PullCursor()
        let start = cursor.start.map { Date(timeIntervalSince1970: $0) }
        var latest = [start, cursor.resume?.latest.map { Date(timeIntervalSince1970: $0) }].compactMap { $0 }.max()
        var began = cursor.resume?.began.map { Date(timeIntervalSince1970: $0) } ?? now()
        var token = cursor.resume?.token
        var resuming = token != nil
        var seenTokens: Set<String> = []
        var report = PullReport()
        var pacer = CallPacer(rate: pullRate)
        while true {
            try Task.checkCancellation()
            if let token, !seenTokens.insert(token).inserted {
                try await save(Self.pullKey, PullCursor(start: cursor.start))
                throw PagingError(description: "SES repeated a ListSuppressedDestinations NextToken after \(report.pages) pages")
            }
            guard report.pages < Self.maxPullPages else {
                try await save(Self.pullKey, PullCursor(start: cursor.start))
                throw PagingError(description: "ListSuppressedDestinations did not end within \(Self.maxPullPages) pages")
            }
            await pacer.wait()
            let page: SESSuppressedDestinationPage
            do {
                page = try await withRetry("ListSuppressedDestinations") { [token] in
                    try await client.listSuppressedDestinations(startDate: start, nextToken: token, pageSize: Self.pullPageSize)
                }
            } catch let error as SESError where resuming && !error.retry.isRetryable {
                // SES no longer takes the saved token (expired, say): the listing starts over.
                logger.notice("ses sync: the saved pull position was refused; listing from the start", metadata: [
                    "ses.error_type": "\(error.awsErrorType ?? "-")", "ses.status": "\(error.httpStatus.map(String.init) ?? "-")",
                ])
                (token, resuming, latest, began) = (nil, false, start, now())
                continue
            }
            resuming = false
            report.pages += 1
            report.listed += page.destinations.count
            report.imported += try await importPage(page.destinations)
            for destination in page.destinations {
                if let t = destination.lastUpdateTime, latest.map({ t > $0 }) ?? true { latest = t }
            }
            guard let next = page.nextToken else { break }
            token = next
            // Saved after the page's import, so a resumed pull never skips an entry (imports are idempotent).
            try await save(Self.pullKey, PullCursor(
                start: cursor.start, resume: .init(token: next, latest: latest?.timeIntervalSince1970, began: began.timeIntervalSince1970)))
        }
        // Only a complete listing moves the watermark, and not past the time it began (less a margin for
        // clocks): an entry added while it ran may sort into a page read before, and the next pull lists it.
        let next = [latest, began.addingTimeInterval(-Self.pullOverlap)].compactMap { $0 }.min()
        let kept = [next, start].compactMap { $0 }.max()
        try await save(Self.pullKey, PullCursor(start: kept?.timeIntervalSince1970 ?? cursor.start))
        return report
    }

    private func importPage(_ destinations: [SESSuppressedDestination]) async throws -> Int {
        let at = now()
        var rows: [String: Suppression] = [:]
        for destination in destinations {
            guard let normalized = normalizer.normalize(destination.emailAddress)?.normalized else { continue }
            rows[normalized] = Suppression(
                address: normalized, originalAddress: destination.emailAddress, reason: .sesAccount,
                detail: destination.reason.isEmpty ? nil : destination.reason, firstSeen: destination.lastUpdateTime ?? at,
                source: "ses_account")
        }
        guard !rows.isEmpty else { return 0 }
        // Local global suppressions win: their reason and history stay as they are.
        let existing = try await store.suppressed(among: Array(rows.keys), scope: nil, at: at)
        let fresh = rows.filter { existing[$0.key]?.scope.isEmpty != true }.map(\.value)
        guard !fresh.isEmpty else { return 0 }
        return try await store.importBatch(fresh)
    }

    // MARK: Delete

    /// Removes `address` from the SES account-level list; an address SES does not list counts as removed.
    /// - Returns: false when SES did not list it.
    func deleteRemote(_ address: String) async throws -> Bool {
        do {
            try await withRetry("DeleteSuppressedDestination") {
                try await client.deleteSuppressedDestination(email: address)
            }
            return true
        } catch let error as SESError where error.httpStatus == 404 || error.awsErrorType == "NotFoundException" {
            return false
        }
    }

    // MARK: Support

    /// Runs `call`, retrying throttling and transient failures with jittered exponential backoff.
    func withRetry<T: Sendable>(_ operation: String, _ call: () async throws -> T) async throws -> T {
        var attempt = 0
        while true {
            do {
                return try await call()
            } catch let error as SESError {
                guard error.retry.isRetryable, backoff.allowsRetry(attempt: attempt), !Task.isCancelled else { throw error }
                let delay = max(0.05, backoff.delay(attempt: attempt, random: Double.random(in: 0.5..<1)))
                logger.debug("ses sync: retrying", metadata: [
                    "ses.operation": "\(operation)", "ses.retry": "\(error.retry.rawValue)", "retry.delay_seconds": "\(delay)",
                ])
                attempt += 1
                try await Task.sleep(for: .seconds(delay))
            }
        }
    }

    private func load<T: Decodable>(_ key: String) async throws -> T? {
        guard let text = try await store.setting(key) else { return nil }
        return try? JSONDecoder().decode(T.self, from: Data(text.utf8))
    }

    private func save<T: Encodable>(_ key: String, _ value: T) async throws {
        let data = try JSONEncoder().encode(value)
        try await store.setSetting(key, String(decoding: data, as: UTF8.self))
    }
}

/// Spaces calls at least `1/rate` apart.
struct CallPacer: Sendable {
    let interval: Duration
    private var last: ContinuousClock.Instant?

    init(rate: Double) { interval = .seconds(1 / max(rate, 0.001)) }

    mutating func wait() async {
        let clock = ContinuousClock()
        if let last {
            let next = last.advanced(by: interval)
            if next > clock.now { try? await clock.sleep(until: next) }
        }
        last = clock.now
    }
}
