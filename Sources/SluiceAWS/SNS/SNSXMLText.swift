import Foundation

/// A small, bounded extractor for the text of one nested element in an AWS Query API XML response.
/// Not a general XML parser: it finds elements by name along a path and ignores attributes;
/// namespace prefixes are not supported (AWS uses a default `xmlns`).
enum SNSXMLText {
    /// Text of the first element at `path` (outermost first), entity-decoded; nil when absent,
    /// when it contains markup, or when `xml` is larger than `limit` bytes.
    static func first(path: [String], in xml: [UInt8], limit: Int = 64 * 1024) -> String? {
        guard !path.isEmpty, xml.count <= limit else { return nil }
        var range = xml.startIndex..<xml.endIndex
        for name in path {
            guard let inner = element(named: name, in: xml, range: range) else { return nil }
            range = inner
        }
        let text = xml[range]
        guard !text.contains(UInt8(ascii: "<")) else { return nil }
        return decodeEntities(String(decoding: text, as: UTF8.self))
    }

    /// The content range of the first `<name ...>...</name>` inside `range`.
    static func element(named name: String, in xml: [UInt8], range: Range<Int>) -> Range<Int>? {
        let open = Array("<\(name)".utf8), close = Array("</\(name)>".utf8)
        var index = range.lowerBound
        // Bounded: `index` only moves forward.
        while let start = find(open, in: xml, from: index, to: range.upperBound) {
            let after = start + open.count
            guard after < range.upperBound else { return nil }
            let next = xml[after]
            // `<NameSuffix>` is another element; only `>`, whitespace or `/` may follow the name.
            guard next == UInt8(ascii: ">") || next == UInt8(ascii: "/") || next == 0x20 || next == 0x09 || next == 0x0A || next == 0x0D else {
                index = after
                continue
            }
            guard let tagEnd = find([UInt8(ascii: ">")], in: xml, from: after, to: range.upperBound) else { return nil }
            if xml[tagEnd - 1] == UInt8(ascii: "/") { return tagEnd + 1..<tagEnd + 1 }  // <Name/>
            let contentStart = tagEnd + 1
            guard let end = find(close, in: xml, from: contentStart, to: range.upperBound) else { return nil }
            return contentStart..<end
        }
        return nil
    }

    static func find(_ needle: [UInt8], in haystack: [UInt8], from: Int, to: Int) -> Int? {
        guard !needle.isEmpty, to - from >= needle.count else { return nil }
        var i = from
        while i + needle.count <= to {
            if haystack[i] == needle[0] && haystack[i..<(i + needle.count)].elementsEqual(needle) { return i }
            i += 1
        }
        return nil
    }

    /// The five predefined XML entities; anything else is left as is.
    static func decodeEntities(_ text: String) -> String {
        guard text.contains("&") else { return text }
        return text.replacingOccurrences(of: "&lt;", with: "<").replacingOccurrences(of: "&gt;", with: ">")
            .replacingOccurrences(of: "&quot;", with: "\"").replacingOccurrences(of: "&apos;", with: "'")
            .replacingOccurrences(of: "&amp;", with: "&")
    }
}
