import ArgumentParser
import Foundation
import Logging
import SluiceApp
import SluiceCore
import SluiceStore

/// Opening the store for the suppression commands and mapping their errors to exit codes.
enum SuppressionsSupport {
    /// Opens the configured database (the service may be running: SQLite WAL allows both) and runs `body`.
    static func withService<T>(_ global: GlobalOptions, _ body: (SuppressionService) async throws -> T) async throws -> T {
        let configuration = try global.loadConfiguration()
        var logger = makeLogger(configuration)
        // The command's own output is the result; routine info logs would only clutter stderr.
        if logger.logLevel < .warning { logger.logLevel = .warning }
        let store = try openStore(configuration, logger: logger)
        defer { store.close() }
        let normalizer = AddressNormalizer(configuration: AddressKeyMode.normalizerConfiguration(configuration))
        try await checkAddressKeyMode(configuration, store: store)
        let service = SuppressionService(store: store, normalizer: normalizer, logger: logger)
        do {
            return try await body(service)
        } catch let error as SuppressionServiceError {
            throw exitFailure(error)
        }
    }

    /// Usage problems exit 64, "not found" exits 1 quietly with a message, store failures exit 1.
    static func exitFailure(_ error: SuppressionServiceError) -> ExitFailure {
        if error.code.isUsage { return ExitFailure(code: 64, message: "error: \(error.message)") }
        if error.code == .notFound { return ExitFailure(code: 1, message: error.message) }
        let detail = (error.underlying as? StoreError).map { ": \($0.message)" } ?? ""
        return ExitFailure(code: 1, message: "error: \(error.message)\(detail)")
    }

    /// Rows as aligned columns under a header.
    static func table(_ header: [String], _ rows: [[String]]) -> String {
        var widths = header.map(\.count)
        for row in rows {
            for (index, cell) in row.enumerated() where index < widths.count { widths[index] = max(widths[index], cell.count) }
        }
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { index, cell in
                index == cells.count - 1 ? cell : cell.padding(toLength: widths[index], withPad: " ", startingAt: 0)
            }.joined(separator: "  ")
        }
        return ([line(header)] + rows.map(line)).joined(separator: "\n")
    }

    static let suppressionHeader = ["ADDRESS", "SCOPE", "REASON", "COUNT", "LAST SEEN", "EXPIRES", "SOURCE", "DETAIL"]

    static func cells(_ s: Suppression) -> [String] {
        [
            s.address, s.scope.isEmpty ? "-" : s.scope, s.reason.rawValue, String(s.count), RFC3339.format(s.lastSeen),
            s.expiresAt.map(RFC3339.format) ?? "never", s.source, s.detail.map { String($0.prefix(60)) } ?? "",
        ]
    }

    /// A suppression as indented `key: value` lines, for `show`.
    static func details(_ s: Suppression) -> String {
        [
            "address:          \(s.address)",
            "original_address: \(s.originalAddress)",
            "scope:            \(s.scope.isEmpty ? "(all mail)" : s.scope)",
            "reason:           \(s.reason.rawValue)",
            "detail:           \(s.detail ?? "")",
            "first_seen:       \(RFC3339.format(s.firstSeen))",
            "last_seen:        \(RFC3339.format(s.lastSeen))",
            "count:            \(s.count)",
            "source:           \(s.source)",
            "expires_at:       \(s.expiresAt.map(RFC3339.format) ?? "never")",
        ].joined(separator: "\n")
    }

    /// Encodes JSON the way the API does (sorted keys, no escaped slashes).
    static func json(_ value: some Encodable) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes, .prettyPrinted]
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }
}
