import Foundation
import SluiceCore

/// Locates `Tests/Fixtures` from this source file.
enum AWSFixtures {
    static var root: String {
        var url = URL(fileURLWithPath: #filePath)
        while url.lastPathComponent != "Tests", url.pathComponents.count > 1 { url.deleteLastPathComponent() }
        return url.appendingPathComponent("Fixtures").path
    }

    static func bytes(_ relative: String) throws -> [UInt8] {
        Array(try Data(contentsOf: URL(fileURLWithPath: root + "/" + relative)))
    }

    static func text(_ relative: String) throws -> String {
        String(decoding: try bytes(relative), as: UTF8.self)
    }

    static func list(_ relative: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: root + "/" + relative)) ?? []).sorted()
    }
}

/// A request parsed from the SigV4 suite's raw HTTP text (`request.txt` / `.req`).
struct SigV4SuiteRequest {
    var method: String
    var path: String
    var rawQuery: String
    var headers: [SigV4Request.Field]
    var body: [UInt8]

    init(_ text: String) {
        var lines = text.components(separatedBy: "\n")
        let requestLine = lines.removeFirst()
        let firstSpace = requestLine.firstIndex(of: " ")!
        method = String(requestLine[..<firstSpace])
        let httpRange = requestLine.range(of: " HTTP/", options: .backwards)!
        let target = String(requestLine[requestLine.index(after: firstSpace)..<httpRange.lowerBound])
        if let q = target.firstIndex(of: "?") {
            path = String(target[..<q])
            rawQuery = String(target[target.index(after: q)...])
        } else {
            path = target
            rawQuery = ""
        }
        headers = []
        body = []
        var i = 0
        while i < lines.count {
            let line = lines[i]
            i += 1
            if line.isEmpty {
                body = Array(lines[i...].joined(separator: "\n").utf8)
                break
            }
            if line.first == " " || line.first == "\t", !headers.isEmpty {
                // Obsolete line folding: the signer collapses the whitespace.
                headers[headers.count - 1].value += "\n" + line
                continue
            }
            let colon = line.firstIndex(of: ":")!
            headers.append(.init(String(line[..<colon]), String(line[line.index(after: colon)...])))
        }
    }

    var sigV4: SigV4Request {
        SigV4Request(
            method: method, path: path, query: SigV4Request.parseQuery(rawQuery), headers: headers,
            payload: .bytes(body))
    }
}

extension String {
    /// Drops one trailing newline, as some suite files end with one and some do not.
    var sigV4TrimmingFinalNewline: String { hasSuffix("\n") ? String(dropLast()) : self }
}
