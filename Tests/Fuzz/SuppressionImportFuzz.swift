// libFuzzer entry for `suppression-import`: SuppressionRowParser (CSV and JSON lines) plus the field
// checks the import applies to each row (address normalisation, RFC 3339 times).
// Scripts/fuzz links it against an instrumented, -enable-testing build of SluiceCore.
@testable import SluiceCore

/// Byte 0: bit 0 picks the format (0 = CSV, 1 = JSON lines), bits 1-7 where the body is cut in two
/// (so records reassembled across `feed` calls are exercised); the rest is the uploaded file.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard size > 0 else { return 0 }
    let body = Array(UnsafeBufferPointer(start: data + 1, count: size - 1))
    let format: ImportFormat = data[0] & 1 == 0 ? .csv : .jsonl
    let cut = body.isEmpty ? 0 : Int(data[0] >> 1) % (body.count + 1)
    // A small record limit so the "record too long" paths are reachable within max_len.
    var parser = SuppressionRowParser(format: format, maxRecordBytes: 1024)
    var whole = SuppressionRowParser(format: format, maxRecordBytes: 1024)
    var split: [ImportRowResult] = []
    var single: [ImportRowResult] = []
    do {
        split += try parser.feed(Array(body[..<cut]))
        split += try parser.feed(Array(body[cut...]))
        split += try parser.finish()
    } catch {
        split.append(.invalid(line: 0, message: "header: \(error)"))
    }
    do {
        single += try whole.feed(body)
        single += try whole.finish()
    } catch {
        single.append(.invalid(line: 0, message: "header: \(error)"))
    }
    // Chunking must not change the result: a record split across reads parses as if read at once.
    precondition(split == single, "row parsing depends on where the input was cut")
    let normalizer = AddressNormalizer()
    var lastLine = 0
    for result in split {
        guard case .row(let row) = result else { continue }
        precondition(row.line >= lastLine && row.line >= 1, "line numbers go backwards")
        lastLine = row.line
        precondition(!row.address.isEmpty, "row without address")
        _ = normalizer.normalize(row.address)
        for time in [row.expiresAt, row.firstSeen, row.lastSeen] {
            if let time, let date = RFC3339.parse(time) {
                // What we export must import again to the same instant (second precision).
                let again = RFC3339.parse(RFC3339.format(date))
                precondition(again.map { abs($0.timeIntervalSince(date)) < 1 } ?? false, "RFC 3339 round trip")
            }
        }
    }
    return 0
}
