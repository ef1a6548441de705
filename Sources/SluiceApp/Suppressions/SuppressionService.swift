import Foundation
import Logging
import SluiceCore
import SluiceStore

/// Suppression management shared by the REST routes and the CLI, so both validate identically.
public struct SuppressionService: Sendable {
    /// Longest operator `detail`, in characters.
    public static let maxDetailLength = 1000
    /// Longest scope (`list` or `list/topic`), in bytes.
    public static let maxScopeBytes = 255
    /// Largest `count` an import may carry: far above any real tally, far below `Int.max`, so merged counts
    /// stay exact (stores saturate anyway, for rows written before this cap).
    public static let maxCount = 1_000_000_000
    /// Rows committed per import transaction, each one staged run of the SQLite store (schema v6): the
    /// store's largest chunk, so 1,000,000 rows make 10 runs, below `SQLiteStore.maxStagedRuns`. An import
    /// holds two chunks in memory. Capped by the store's `importChunkLimit` (PostgreSQL: 5,000).
    public static let defaultImportChunk = SQLiteStore.maxImportChunk

    public let store: any AppStore
    public let normalizer: AddressNormalizer
    public let now: @Sendable () -> Date
    public let logger: Logger

    public init(store: any AppStore, normalizer: AddressNormalizer, logger: Logger, now: @escaping @Sendable () -> Date = { Date() }) {
        self.store = store
        self.normalizer = normalizer
        self.logger = logger
        self.now = now
    }

    /// The service over an application's store, normaliser and clock.
    public init(context: AppContext) {
        self.init(store: context.store, normalizer: context.normalizer, logger: context.logger, now: context.now)
    }

    /// The active suppression blocking `address` in `scope` (global ones included).
    /// - Throws: `.notFound` when mail to it would not be blocked.
    public func get(address raw: String, scope rawScope: String? = nil) async throws(SuppressionServiceError) -> Suppression {
        let address = try self.address(raw)
        let scope = try self.scope(rawScope)
        let found: Suppression?
        do { found = try await store.suppression(for: address.normalized, scope: scope.isEmpty ? nil : scope, at: now()) } catch {
            throw .store(error)
        }
        guard let found else { throw SuppressionServiceError(.notFound, "the address is not suppressed") }
        return found
    }

    /// Adds or replaces the suppression of `address` in `scope`; returns the stored row.
    /// - Parameter source: who did it, recorded as `operator:<source>`.
    public func put(address raw: String, scope rawScope: String? = nil, reason rawReason: String? = nil, detail rawDetail: String? = nil, expiresAt rawExpiry: String? = nil, source: String) async throws(SuppressionServiceError) -> Suppression {
        let address = try self.address(raw)
        let at = now()
        let suppression = Suppression(
            address: address.normalized, originalAddress: address.original, scope: try self.scope(rawScope),
            reason: try self.reason(rawReason), detail: try self.detail(rawDetail), firstSeen: at, count: 1,
            source: "operator:\(source)", expiresAt: try self.expiry(rawExpiry, now: at)
        )
        do { try await store.putManual(suppression) } catch { throw .store(error) }
        logger.info("suppression.put", metadata: ["suppression.reason": "\(suppression.reason.rawValue)", "suppression.source": "\(suppression.source)"])
        return suppression
    }

    /// Removes the suppression of `address` in exactly `scope`.
    /// - Throws: `.notFound` when there was none.
    public func remove(address raw: String, scope rawScope: String? = nil) async throws(SuppressionServiceError) {
        let address = try self.address(raw)
        let scope = try self.scope(rawScope)
        let removed: Bool
        do { removed = try await store.remove(address: address.normalized, scope: scope) } catch { throw .store(error) }
        guard removed else { throw SuppressionServiceError(.notFound, "the address has no suppression in this scope") }
        logger.info("suppression.removed", metadata: ["suppression.scope": "\(scope)"])
    }

    /// One page of active suppressions; `cursor` is the previous page's `nextCursor` token.
    public func list(reason rawReason: String? = nil, domain rawDomain: String? = nil, since rawSince: String? = nil, limit rawLimit: String? = nil, cursor rawCursor: String? = nil) async throws(SuppressionServiceError) -> SuppressionPage {
        var query = SuppressionQuery(activeAt: now())
        // A filter given but empty (`?since=`) is a client mistake, not "no filter": 400, as documented.
        if let rawReason {
            guard !rawReason.isEmpty else { throw SuppressionServiceError(.invalidReason, "reason must not be empty") }
            query.reason = try self.reason(rawReason)
        }
        if let rawDomain {
            guard !rawDomain.isEmpty else { throw SuppressionServiceError(.invalidQuery, "domain must not be empty") }
            query.domain = try self.domain(rawDomain)
        }
        if let rawSince {
            guard let since = RFC3339.parse(rawSince.trimmingCharacters(in: .whitespaces)) else {
                throw SuppressionServiceError(.invalidQuery, "since must be an RFC 3339 date-time such as 2026-01-31T00:00:00Z")
            }
            query.since = since
        }
        query.limit = try self.limit(rawLimit, default: 100, max: SuppressionQuery.maxLimit)
        if let rawCursor {
            guard let cursor = SuppressionCursor(token: rawCursor) else {
                throw SuppressionServiceError(.invalidQuery, "cursor is not a token returned by a previous page")
            }
            query.cursor = cursor
        }
        do { return try await store.list(query) } catch { throw .store(error) }
    }

    /// What is known about `address`: its suppressions in every scope (active or not) and the newest history.
    public func history(address raw: String, limit rawLimit: String? = nil) async throws(SuppressionServiceError) -> AddressHistory {
        let address = try self.address(raw)
        let limit = try self.limit(rawLimit, default: 100, max: 1000)
        do {
            let suppressions = try await store.suppressions(of: address.normalized)
            let entries = try await store.history(address: address.normalized, limit: limit)
            return AddressHistory(address: address.normalized, suppressions: suppressions, entries: entries)
        } catch {
            throw .store(error)
        }
    }

    /// A streaming import writing to this service's store; feed it the body, then `finish()`.
    public func makeImport(format: ImportFormat, source: String, chunkSize: Int = defaultImportChunk) -> SuppressionImport {
        SuppressionImport(service: self, format: format, source: source, chunkSize: chunkSize)
    }

    /// Writes every active suppression as CSV (header first) in keyset pages, optionally gzip-compressed.
    /// - Parameter spreadsheet: prefix cells a spreadsheet would run as formulas with `'` (the file is then
    ///   for reading, not for importing back).
    /// - Returns: the number of rows written.
    public func export(gzip: Bool, spreadsheet: Bool = false, pageSize: Int = 5000, to write: ([UInt8]) async throws -> Void) async throws -> Int {
        try await SuppressionExport(store: store, at: now(), pageSize: pageSize, spreadsheet: spreadsheet).run(gzip: gzip, write: write)
    }
}

/// An address's suppressions and history, as `GET /v1/addresses/{address}/history` returns them.
public struct AddressHistory: Sendable, Equatable {
    public var address: String
    public var suppressions: [Suppression]
    public var entries: [HistoryEntry]
}
