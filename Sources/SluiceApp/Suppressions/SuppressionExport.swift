import Foundation
import SluiceCore
import SluiceCrypto
import SluiceStore

/// Streams active suppressions as CSV in keyset pages, so memory stays at one page however big the table.
struct SuppressionExport {
    /// Output is handed on in pieces of about this size.
    static let flushBytes = 64 * 1024

    let store: any AppStore
    let at: Date
    let pageSize: Int
    /// Cells a spreadsheet would take for formulas get a `'` in front (`SuppressionCSV.formulaSafe`).
    var spreadsheet = false

    func run(gzip: Bool, write: ([UInt8]) async throws -> Void) async throws -> Int {
        let gzipStream = gzip ? try GzipStream() : nil
        var buffer = Array(SuppressionCSV.header.utf8)
        buffer.reserveCapacity(Self.flushBytes + 4096)
        var cursor: SuppressionCursor?
        var rows = 0
        func emit(_ bytes: [UInt8]) async throws {
            if let gzipStream {
                let compressed = try gzipStream.append(bytes)
                if !compressed.isEmpty { try await write(compressed) }
            } else {
                try await write(bytes)
            }
        }
        repeat {
            let page = try await store.export(after: cursor, limit: pageSize)
            for suppression in page.items where suppression.isActive(at: at) {
                SuppressionCSV.append(suppression, to: &buffer, spreadsheet: spreadsheet)
                rows += 1
                if buffer.count >= Self.flushBytes {
                    try await emit(buffer)
                    buffer.removeAll(keepingCapacity: true)
                }
            }
            cursor = page.nextCursor
        } while cursor != nil
        if !buffer.isEmpty { try await emit(buffer) }
        if let gzipStream { try await write(try gzipStream.finish()) }
        return rows
    }
}
