/// Splits and percent-decodes an origin-form request-target.
enum RequestTarget {
    /// Returns the raw path, its decoded segments (nil when a segment has a bad escape) and the
    /// decoded query items.
    static func split(_ target: String) -> (path: String, segments: [String]?, query: [(name: String, value: String)]) {
        var bytes = target
        return bytes.withUTF8 { utf8 in
            guard let q = utf8.firstIndex(of: UInt8(ascii: "?")) else {
                // No query: the path is the target itself, no copy.
                return (target, segments(of: utf8[...]), [])
            }
            let pathBytes = utf8[..<q]
            return (String(decoding: pathBytes, as: UTF8.self), segments(of: pathBytes), queryItems(utf8[(q + 1)...]))
        }
    }

    /// Decoded path segments without the leading empty one; "/" gives [].
    static func segments(of path: ArraySlice<UInt8>) -> [String]? {
        path.withUnsafeBufferPointer { segments(of: $0[...]) }
    }

    /// Decoded path segments without the leading empty one; "/" gives [].
    static func segments(of path: Slice<UnsafeBufferPointer<UInt8>>) -> [String]? {
        var result: [String] = []
        var start = path.startIndex
        // A leading "/" starts no segment.
        if start < path.endIndex, path[start] == UInt8(ascii: "/") { start += 1 }
        // "/" (or "") is the root: no segments.
        if start == path.endIndex { return [] }
        result.reserveCapacity(4)
        var i = start
        while true {
            let end = path[i...].firstIndex(of: UInt8(ascii: "/")) ?? path.endIndex
            guard let decoded = percentDecode(path[i..<end], plusAsSpace: false) else { return nil }
            result.append(decoded)
            if end == path.endIndex { break }
            i = end + 1
        }
        return result
    }

    /// Decoded `name=value` pairs; an item with a bad escape keeps its raw text.
    static func queryItems(_ bytes: Slice<UnsafeBufferPointer<UInt8>>) -> [(name: String, value: String)] {
        guard !bytes.isEmpty else { return [] }
        var items: [(name: String, value: String)] = []
        for pair in bytes.split(separator: UInt8(ascii: "&")) {
            let eq = pair.firstIndex(of: UInt8(ascii: "="))
            let rawName = eq.map { pair[pair.startIndex..<$0] } ?? pair
            let rawValue = eq.map { pair[($0 + 1)...] } ?? pair[pair.endIndex...]
            let name = percentDecode(rawName, plusAsSpace: true) ?? String(decoding: rawName, as: UTF8.self)
            let value = percentDecode(rawValue, plusAsSpace: true) ?? String(decoding: rawValue, as: UTF8.self)
            items.append((name: name, value: value))
        }
        return items
    }

    /// Percent-decodes `bytes`; nil on a malformed escape.
    static func percentDecode(_ bytes: Slice<UnsafeBufferPointer<UInt8>>, plusAsSpace: Bool) -> String? {
        if !bytes.contains(UInt8(ascii: "%")) && !(plusAsSpace && bytes.contains(UInt8(ascii: "+"))) {
            return String(decoding: bytes, as: UTF8.self)
        }
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var i = bytes.startIndex
        while i < bytes.endIndex {
            let b = bytes[i]
            if b == UInt8(ascii: "%") {
                guard i + 2 < bytes.endIndex,
                      let hi = hexValue(bytes[i + 1]), let lo = hexValue(bytes[i + 2]) else { return nil }
                out.append(hi << 4 | lo)
                i += 3
            } else {
                out.append(plusAsSpace && b == UInt8(ascii: "+") ? UInt8(ascii: " ") : b)
                i += 1
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    @inline(__always)
    static func hexValue(_ b: UInt8) -> UInt8? {
        switch b {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): b - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): b - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): b - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
