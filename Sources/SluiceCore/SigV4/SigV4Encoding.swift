/// SigV4 URI encoding, path normalisation and query canonicalisation.
public enum SigV4Encoding {
    private static let hexDigits = Array("0123456789ABCDEF".utf8)

    /// RFC 3986 unreserved characters, the only ones SigV4 leaves unencoded.
    @inline(__always)
    static func isUnreserved(_ c: UInt8) -> Bool {
        (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A) || (c >= 0x30 && c <= 0x39) || c == 0x2D || c == 0x2E
            || c == 0x5F || c == 0x7E
    }

    /// `UriEncode`: keep `A-Za-z0-9-_.~` (and `/` when `keepSlash`), `%XX` uppercase for every other UTF-8 byte.
    public static func uriEncode(_ text: String, keepSlash: Bool = false) -> String {
        var out = [UInt8]()
        out.reserveCapacity(text.utf8.count)
        for c in text.utf8 {
            if isUnreserved(c) || (keepSlash && c == 0x2F) {
                out.append(c)
            } else {
                out.append(0x25)
                out.append(hexDigits[Int(c >> 4)])
                out.append(hexDigits[Int(c & 0x0F)])
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Decodes `%XX` escapes; nil when an escape is malformed or the result is not UTF-8.
    public static func percentDecode(_ text: String) -> String? {
        let bytes = Array(text.utf8)
        guard bytes.contains(0x25) else { return text }
        var out = [UInt8]()
        out.reserveCapacity(bytes.count)
        var i = 0
        while i < bytes.count {
            if bytes[i] == 0x25 {
                guard i + 2 < bytes.count, let hi = hexValue(bytes[i + 1]), let lo = hexValue(bytes[i + 2]) else {
                    return nil
                }
                out.append(hi << 4 | lo)
                i += 3
            } else {
                out.append(bytes[i])
                i += 1
            }
        }
        return String(validating: out, as: UTF8.self)
    }

    static func hexValue(_ c: UInt8) -> UInt8? {
        switch c {
        case 0x30...0x39: return c - 0x30
        case 0x41...0x46: return c - 0x41 + 10
        case 0x61...0x66: return c - 0x61 + 10
        default: return nil
        }
    }

    /// Removes empty and `.` segments and resolves `..` (RFC 3986 §5.2.4 style); keeps a trailing slash.
    public static func normalizePath(_ path: String) -> String {
        guard !path.isEmpty else { return "/" }
        var stack: [Substring] = []
        for segment in path.split(separator: "/", omittingEmptySubsequences: true) {
            switch segment {
            case ".": continue
            case "..": if !stack.isEmpty { stack.removeLast() }
            default: stack.append(segment)
            }
        }
        var result = "/" + stack.joined(separator: "/")
        if path.hasSuffix("/"), result != "/" { result += "/" }
        return result
    }

    /// The canonical URI: optionally normalised, then encoded again (non-S3 services double-encode).
    public static func canonicalURI(_ path: String, normalize: Bool, encode: Bool) -> String {
        var p = path.isEmpty ? "/" : path
        if normalize { p = normalizePath(p) }
        return encode ? uriEncode(p, keepSlash: true) : p
    }

    /// Encoded `name=value` pairs sorted by name then value, joined with `&`.
    public static func canonicalQuery(_ items: [SigV4Request.Field]) -> String {
        let encoded = items.map { (uriEncode($0.name), uriEncode($0.value)) }
        let sorted = encoded.sorted { a, b in
            if a.0 != b.0 { return a.0.utf8.lexicographicallyPrecedes(b.0.utf8) }
            return a.1.utf8.lexicographicallyPrecedes(b.1.utf8)
        }
        return sorted.map { "\($0.0)=\($0.1)" }.joined(separator: "&")
    }

    /// Trims a header value and collapses each run of whitespace (incl. folded line breaks) to one space.
    public static func canonicalHeaderValue(_ value: String) -> String {
        var out = [UInt8]()
        var pendingSpace = false
        for c in value.utf8 {
            if c == 0x20 || c == 0x09 || c == 0x0A || c == 0x0D {
                pendingSpace = !out.isEmpty
            } else {
                if pendingSpace { out.append(0x20) }
                pendingSpace = false
                out.append(c)
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}
