import Foundation
import SluiceCore
import SluiceStore

/// A streaming import: bytes in, validated rows committed in chunks (each chunk one transaction),
/// per-row errors collected with their line numbers. Memory: two chunks of rows plus one record.
///
/// Pipelined: while the store commits one chunk, the next one is parsed and validated, so parsing and
/// writing use two cores. Chunks still commit one at a time and in order.
public struct SuppressionImport: Sendable {
    /// Errors listed in a report; later ones are only counted in `rejected`.
    public static let maxReportedErrors = 100

    private let service: SuppressionService
    /// `import:<source>`, recorded on rows that name no source of their own.
    private let source: String
    private let chunkSize: Int
    private let startedAt: Date
    private var parser: SuppressionRowParser
    private var batch: [Suppression] = []
    private var report = ImportReport()
    /// The chunk being committed, if any; awaited before the next one is handed over.
    private var inFlight: Task<Int, any Error>?

    init(service: SuppressionService, format: ImportFormat, source: String, chunkSize: Int) {
        self.service = service
        self.source = "import:\(source)"
        // The store's own bound: a PostgreSQL store takes 5,000 rows per transaction, SQLite 100,000.
        self.chunkSize = min(max(chunkSize, 1), service.store.importChunkLimit)
        self.startedAt = service.now()
        self.parser = SuppressionRowParser(format: format)
        batch.reserveCapacity(self.chunkSize)
    }

    /// Parses `bytes` and commits every full chunk.
    /// - Throws: `.invalidFormat` for an unusable CSV header, `.store` when a commit fails (earlier
    ///   chunks stay committed; the message says how many rows).
    public mutating func feed(_ bytes: [UInt8]) async throws(SuppressionServiceError) {
        let results: [ImportRowResult]
        do { results = try parser.feed(bytes) } catch {
            try await settle()
            throw SuppressionServiceError(.invalidFormat, error.message)
        }
        try await take(results)
    }

    /// Ends the input, commits the last chunk and returns the report.
    public mutating func finish() async throws(SuppressionServiceError) -> ImportReport {
        let results: [ImportRowResult]
        do { results = try parser.finish() } catch {
            try await settle()
            throw SuppressionServiceError(.invalidFormat, error.message)
        }
        try await take(results)
        try await commit()
        try await settle()
        service.logger.info("suppression.imported", metadata: ["import.imported": "\(report.imported)", "import.rejected": "\(report.rejected)"])
        return report
    }

    /// Ends an import whose input broke off (body too large, client gone, bad chunking, a read error):
    /// commits every valid row parsed so far, the last partial chunk included, and waits for the chunk in
    /// flight, so the report counts exactly the rows written. A record the failure cut short is dropped.
    /// - Throws: `.store` when a commit fails, as `feed` does.
    public mutating func finishAfterInputFailure() async throws(SuppressionServiceError) -> ImportReport {
        try await commit()
        try await settle()
        service.logger.info("suppression.import_cut_short", metadata: ["import.imported": "\(report.imported)", "import.rejected": "\(report.rejected)"])
        return report
    }

    private mutating func take(_ results: [ImportRowResult]) async throws(SuppressionServiceError) {
        for result in results {
            switch result {
            case .invalid(let line, let message):
                reject(line: line, message: message)
            case .row(let row):
                do throws(SuppressionServiceError) {
                    batch.append(try suppression(from: row))
                } catch {
                    reject(line: row.line, message: error.message)
                }
                if batch.count >= chunkSize { try await commit() }
            }
        }
    }

    private mutating func reject(line: Int, message: String) {
        report.rejected += 1
        if report.errors.count < Self.maxReportedErrors { report.errors.append(ImportReport.RowError(line: line, message: message)) }
    }

    /// Hands the current chunk to the store once the previous one is committed, without waiting for it.
    private mutating func commit() async throws(SuppressionServiceError) {
        guard !batch.isEmpty else { return }
        try await settle()
        // The store sorts the chunk by key itself (B-tree locality), keeping file order among equal keys.
        let rows = batch
        let store = service.store
        inFlight = Task { try await store.importBatch(rows) }
        batch.removeAll(keepingCapacity: true)
    }

    /// Waits for the chunk in flight, counting its rows, or reports how many rows were committed before it.
    /// Also called before an error is thrown, so no write goes on after the import has answered.
    private mutating func settle() async throws(SuppressionServiceError) {
        guard let task = inFlight else { return }
        inFlight = nil
        do {
            report.imported += try await task.value
        } catch {
            let code = (error as? StoreError)?.code.description ?? "unknown"
            throw SuppressionServiceError(.store, "import stopped after \(report.imported) committed rows: the database reported an error (\(code))", underlying: error)
        }
    }

    /// Validates one row exactly as the single-address API would.
    private func suppression(from row: ImportRow) throws(SuppressionServiceError) -> Suppression {
        let address = try service.address(row.address)
        let firstSeen = try date(row.firstSeen, name: "first_seen") ?? startedAt
        let lastSeen = try date(row.lastSeen, name: "last_seen") ?? max(firstSeen, startedAt)
        var count = 1
        if let text = row.count {
            guard let value = Int(text), value >= 0, value <= SuppressionService.maxCount else {
                throw SuppressionServiceError(.invalidBody, "count must be an integer from 0 to \(SuppressionService.maxCount)")
            }
            count = value
        }
        let original = row.originalAddress ?? address.original
        guard original.utf8.count <= 512 else { throw SuppressionServiceError(.invalidAddress, "original_address longer than 512 bytes") }
        // Control characters (NUL above all, which PostgreSQL text cannot hold) are a row error on every store,
        // not a failed chunk on one of them.
        guard !Self.hasControlCharacter(original) else {
            throw SuppressionServiceError(.invalidAddress, "original_address contains a control character")
        }
        let rowSource = row.source ?? source
        guard rowSource.utf8.count <= 1024 else { throw SuppressionServiceError(.invalidBody, "source longer than 1024 bytes") }
        guard !Self.hasControlCharacter(rowSource) else { throw SuppressionServiceError(.invalidBody, "source contains a control character") }
        return Suppression(
            address: address.normalized, originalAddress: original, scope: try service.scope(row.scope),
            reason: try service.reason(row.reason), detail: try service.detail(row.detail), firstSeen: firstSeen,
            lastSeen: lastSeen, count: count, source: rowSource, expiresAt: try service.expiry(row.expiresAt, now: startedAt)
        )
    }

    private static func hasControlCharacter(_ text: String) -> Bool {
        text.utf8.contains { $0 < 0x20 || $0 == 0x7F }
    }

    private func date(_ text: String?, name: String) throws(SuppressionServiceError) -> Date? {
        guard let text else { return nil }
        // Foundation's trimming only when an end byte may be white space (it allocates per call).
        let bare = text.utf8.first.map { $0 > 0x20 && $0 < 0x7F } == true && text.utf8.last.map { $0 > 0x20 && $0 < 0x7F } == true
        guard let date = RFC3339.parse(bare ? text : text.trimmingCharacters(in: .whitespaces)) else {
            throw SuppressionServiceError(.invalidBody, "\(name) must be an RFC 3339 date-time")
        }
        return date
    }
}

/// The outcome of an import, as `POST /v1/suppressions/import` returns it.
public struct ImportReport: Sendable, Equatable, Encodable {
    /// One rejected row.
    public struct RowError: Sendable, Equatable, Encodable {
        public var line: Int
        public var message: String
    }

    /// Rows written (merged into existing suppressions where the key already existed, never weakening them:
    /// `Suppression.mergingImport`).
    public var imported = 0
    /// Rows refused; `errors` lists the first `SuppressionImport.maxReportedErrors` of them.
    public var rejected = 0
    public var errors: [RowError] = []
}
