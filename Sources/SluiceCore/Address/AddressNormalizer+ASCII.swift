extension AddressNormalizer {
    /// The key of a plain ASCII `local@domain` in one pass and one allocation, or nil when `raw` is
    /// anything else (display name, quotes, spaces, IDNA, odd dots, …): nil means "take the general
    /// path", never "invalid". For the inputs it takes, the general path yields the same key and keeps
    /// `raw` itself as the spelling: no trimming or brackets apply, the local part is all atext or dots,
    /// and every domain label is 1-63 letters, digits, `-` or `_` and not an `xn--` A-label.
    func simpleKey(_ raw: String) -> String? {
        let lowerLocal = configuration.caseInsensitiveLocalPart
        let result = raw.utf8.withContiguousStorageIfAvailable { (b) -> String? in
            let n = b.count
            // ≤ 254 keeps the domain within DomainName.maxLength (253).
            guard n >= 3, n <= 254 else { return nil }
            var at = -1
            for k in 0..<n where b[k] == UInt8(ascii: "@") {
                guard at < 0 else { return nil }
                at = k
            }
            guard at > 0, at < n - 1 else { return nil }
            for k in 0..<at {
                let c = b[k]
                guard c == UInt8(ascii: ".") || (c < 0x80 && LocalPart.isAtext(c)) else { return nil }
            }
            var labelStart = at + 1
            for k in (at + 1)...n {
                if k == n || b[k] == UInt8(ascii: ".") {
                    let length = k - labelStart
                    guard length > 0, length <= DomainName.maxLabelLength else { return nil }
                    if length >= 4, b[labelStart] | 0x20 == UInt8(ascii: "x"), b[labelStart + 1] | 0x20 == UInt8(ascii: "n"),
                        b[labelStart + 2] == UInt8(ascii: "-"), b[labelStart + 3] == UInt8(ascii: "-")
                    {
                        return nil
                    }
                    labelStart = k + 1
                    continue
                }
                switch b[k] {
                case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                    UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "_"):
                    continue
                default:
                    return nil
                }
            }
            return String(unsafeUninitializedCapacity: n) { out in
                for k in 0..<n {
                    let c = b[k]
                    let upper = c >= UInt8(ascii: "A") && c <= UInt8(ascii: "Z")
                    out[k] = upper && (k > at || lowerLocal) ? c | 0x20 : c
                }
                return n
            }
        }
        return result ?? nil
    }
}
