import Foundation
import SluiceCore

/// Reads and edits the header section of a raw MIME message (up to the first blank line).
enum RawMIMEHeaders {
    /// Lower-cased names of the top-level headers.
    static func names(in raw: Data) -> Set<String> {
        var names = Set<String>()
        for line in headerLines(raw).lines where line.first != 0x20 && line.first != 0x09 {
            if let colon = line.firstIndex(of: 0x3A) {
                names.insert(String(decoding: line[line.startIndex..<colon], as: UTF8.self).trimmingCharacters(in: .whitespaces).lowercased())
            }
        }
        return names
    }

    /// The message with every header named in `remove` (and its folded continuation lines) dropped and
    /// `headers` put first, using the message's own line ending.
    static func replacing(_ remove: [String], with headers: [OutboundMessage.Header], in raw: Data) -> Data {
        let drop = Set(remove.map { $0.lowercased() })
        let (lines, bodyStart, crlf) = headerLines(raw)
        let eol: [UInt8] = crlf ? [13, 10] : [10]
        var out: [UInt8] = []
        for header in headers { out += Array("\(header.name): \(header.value)".utf8) + eol }
        var skipping = false
        for line in lines {
            let continuation = line.first == 0x20 || line.first == 0x09
            if !continuation {
                let name = line.firstIndex(of: 0x3A).map {
                    String(decoding: line[line.startIndex..<$0], as: UTF8.self).trimmingCharacters(in: .whitespaces).lowercased()
                }
                skipping = name.map { drop.contains($0) } ?? false
            }
            if !skipping { out += line + eol }
        }
        out += eol
        out += raw[bodyStart...]
        return Data(out)
    }

    /// The header lines (without line endings), where the body starts, and whether lines end in CRLF.
    private static func headerLines(_ raw: Data) -> (lines: [[UInt8]], bodyStart: Int, crlf: Bool) {
        let bytes = [UInt8](raw)
        var lines: [[UInt8]] = []
        var start = 0
        var crlf = false
        var i = 0
        while i < bytes.count {
            if bytes[i] == 10 {
                var end = i
                if end > start, bytes[end - 1] == 13 { end -= 1; crlf = true }
                if end == start { return (lines, i + 1, crlf) }
                lines.append(Array(bytes[start..<end]))
                start = i + 1
            }
            i += 1
        }
        return (lines, bytes.count, crlf)
    }
}
