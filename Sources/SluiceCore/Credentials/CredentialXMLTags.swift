/// A tiny extractor for flat, well-known AWS XML responses (no attributes on matched tags, no CDATA).
enum CredentialXMLTags {
    /// Inner text of the first `<name>…</name>` (also matches `<name xmlns="…">`).
    static func firstElement(_ name: String, in xml: String) -> String? {
        var searchStart = xml.startIndex
        while let open = xml.range(of: "<" + name, range: searchStart..<xml.endIndex) {
            guard let close = xml[open.upperBound...].firstIndex(of: ">") else { return nil }
            let between = xml[open.upperBound..<close]
            // `<CredentialsX>` is another tag; `<Credentials xmlns=...>` and `<Credentials>` are ours.
            if between.isEmpty || between.first == " " {
                let contentStart = xml.index(after: close)
                guard let end = xml.range(of: "</" + name + ">", range: contentStart..<xml.endIndex) else { return nil }
                return String(xml[contentStart..<end.lowerBound])
            }
            searchStart = open.upperBound
        }
        return nil
    }

    /// The five predefined XML entities plus numeric references.
    static func unescape(_ s: String) -> String {
        guard s.contains("&") else { return s }
        var out = ""
        var i = s.startIndex
        while i < s.endIndex {
            if s[i] == "&", let semi = s[i...].firstIndex(of: ";"), s.distance(from: i, to: semi) <= 10 {
                let entity = s[s.index(after: i)..<semi]
                var replacement: String?
                switch entity {
                case "amp": replacement = "&"
                case "lt": replacement = "<"
                case "gt": replacement = ">"
                case "quot": replacement = "\""
                case "apos": replacement = "'"
                default:
                    if entity.hasPrefix("#x"), let v = UInt32(entity.dropFirst(2), radix: 16), let u = Unicode.Scalar(v) {
                        replacement = String(Character(u))
                    } else if entity.hasPrefix("#"), let v = UInt32(entity.dropFirst()), let u = Unicode.Scalar(v) {
                        replacement = String(Character(u))
                    }
                }
                if let replacement {
                    out += replacement
                    i = s.index(after: semi)
                    continue
                }
            }
            out.append(s[i])
            i = s.index(after: i)
        }
        return out
    }
}
