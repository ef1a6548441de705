import Foundation

extension OutboundMessage {
    /// The same JSON `JSONEncoder` would produce (keys as the synthesized `Codable` keys, `raw` as base64),
    /// written by hand: encoding is on the accept path, where JSONEncoder cost about a tenth of the CPU.
    /// `JSONDecoder().decode(OutboundMessage.self, …)` reads it back.
    public func jsonBytes() -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(256 + (text?.utf8.count ?? 0) + (html?.utf8.count ?? 0) + (raw?.count ?? 0) * 4 / 3)
        out.append(UInt8(ascii: "{"))
        var first = true
        func key(_ name: String) {
            if !first { out.append(UInt8(ascii: ",")) }
            first = false
            JSONBytes.string(name, into: &out)
            out.append(UInt8(ascii: ":"))
        }
        func strings(_ values: [String]) {
            out.append(UInt8(ascii: "["))
            for (index, value) in values.enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                JSONBytes.string(value, into: &out)
            }
            out.append(UInt8(ascii: "]"))
        }
        func pairs(_ values: [(String, String)]) {
            out.append(UInt8(ascii: "["))
            for (index, pair) in values.enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                out.append(contentsOf: #"{"name":"#.utf8)
                JSONBytes.string(pair.0, into: &out)
                out.append(contentsOf: #","value":"#.utf8)
                JSONBytes.string(pair.1, into: &out)
                out.append(UInt8(ascii: "}"))
            }
            out.append(UInt8(ascii: "]"))
        }
        key("from"); JSONBytes.string(from, into: &out)
        key("fromAddress"); JSONBytes.string(fromAddress, into: &out)
        key("to"); strings(to)
        key("cc"); strings(cc)
        key("bcc"); strings(bcc)
        key("replyTo"); strings(replyTo)
        if let subject { key("subject"); JSONBytes.string(subject, into: &out) }
        if let text { key("text"); JSONBytes.string(text, into: &out) }
        if let html { key("html"); JSONBytes.string(html, into: &out) }
        key("headers"); pairs(headers.map { ($0.name, $0.value) })
        key("tags"); pairs(tags.map { ($0.name, $0.value) })
        if let configurationSet { key("configurationSet"); JSONBytes.string(configurationSet, into: &out) }
        if let raw { key("raw"); JSONBytes.string(raw.base64EncodedString(), into: &out) }
        if let bulk { key("bulk"); out.append(contentsOf: (bulk ? "true" : "false").utf8) }
        if let list { key("list"); JSONBytes.string(list, into: &out) }
        out.append(UInt8(ascii: "}"))
        return out
    }
}
