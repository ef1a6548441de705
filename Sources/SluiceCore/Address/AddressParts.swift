/// The pieces of a mailbox string after trimming and removing any display name.
struct AddressParts: Sendable, Equatable {
    /// Local part bytes as written (quotes included).
    var local: ArraySlice<UInt8>
    /// Domain bytes as written.
    var domain: ArraySlice<UInt8>
    /// Whether `Name <addr>` or `<addr>` syntax was used.
    var hadAngleBrackets: Bool

    enum Failure: Error, Sendable, Equatable {
        case empty, lineBreak, controlCharacter, unbalancedAngleBrackets, missingAt, emptyLocalPart
        case emptyDomain, unterminatedQuote
    }

    /// Longest input looked at; anything longer is not an address.
    static let maxInputLength = 2048

    /// Splits `raw` into local part and domain; surrounding white space (CR/LF and Unicode spaces included)
    /// is trimmed.
    static func split(_ raw: String) -> Result<AddressParts, Failure> {
        var bytes = ArraySlice(raw.utf8)
        guard bytes.count <= maxInputLength else { return .failure(.empty) }
        trim(&bytes)
        guard !bytes.contains(where: { $0 == 0x0D || $0 == 0x0A }) else { return .failure(.lineBreak) }
        guard !bytes.isEmpty else { return .failure(.empty) }
        var hadAngleBrackets = false
        if bytes.last == UInt8(ascii: ">") {
            // `"Display, Name" <addr>`: the address starts at the first '<' outside quotes.
            guard let open = firstOutsideQuotes(UInt8(ascii: "<"), in: bytes) else {
                return .failure(.unbalancedAngleBrackets)
            }
            bytes = bytes[(open + 1)..<(bytes.endIndex - 1)]
            trim(&bytes)
            hadAngleBrackets = true
            if bytes.contains(UInt8(ascii: "<")) || bytes.contains(UInt8(ascii: ">")) {
                return .failure(.unbalancedAngleBrackets)
            }
        } else if firstOutsideQuotes(UInt8(ascii: "<"), in: bytes) != nil {
            return .failure(.unbalancedAngleBrackets)
        }
        guard !bytes.isEmpty else { return .failure(.empty) }
        guard !bytes.contains(where: { $0 < 0x20 || $0 == 0x7F }) else { return .failure(.controlCharacter) }
        if bytes.first == UInt8(ascii: "\"") {
            guard closingQuote(in: bytes) != nil else { return .failure(.unterminatedQuote) }
        }
        // The domain cannot contain '@', so the last one separates even a quoted local part.
        guard let at = bytes.lastIndex(of: UInt8(ascii: "@")) else { return .failure(.missingAt) }
        let local = bytes[bytes.startIndex..<at]
        let domain = bytes[(at + 1)...]
        guard !local.isEmpty else { return .failure(.emptyLocalPart) }
        guard !domain.isEmpty else { return .failure(.emptyDomain) }
        return .success(AddressParts(local: local, domain: domain, hadAngleBrackets: hadAngleBrackets))
    }

    /// Index of the quote closing a quoted string that starts at `bytes.startIndex`.
    static func closingQuote(in bytes: ArraySlice<UInt8>) -> Int? {
        var index = bytes.startIndex + 1
        while index < bytes.endIndex {
            switch bytes[index] {
            case UInt8(ascii: "\\"): index += 2
            case UInt8(ascii: "\""): return index
            default: index += 1
            }
        }
        return nil
    }

    private static func firstOutsideQuotes(_ target: UInt8, in bytes: ArraySlice<UInt8>) -> Int? {
        var inQuotes = false
        var index = bytes.startIndex
        while index < bytes.endIndex {
            let byte = bytes[index]
            if inQuotes, byte == UInt8(ascii: "\\") {
                index += 2
                continue
            }
            if byte == UInt8(ascii: "\"") {
                inQuotes.toggle()
            } else if !inQuotes, byte == target {
                return index
            }
            index += 1
        }
        return nil
    }

    /// Drops white space at both ends: ASCII, and Unicode `White_Space` such as U+00A0 or U+3000 (pasted
    /// from documents and spreadsheets, invisible, never part of a mailbox).
    private static func trim(_ bytes: inout ArraySlice<UInt8>) {
        while let first = bytes.first {
            if isSpace(first) {
                bytes.removeFirst()
            } else if first >= 0x80, let length = leadingWhiteSpaceLength(bytes) {
                bytes.removeFirst(length)
            } else {
                break
            }
        }
        while let last = bytes.last {
            if isSpace(last) {
                bytes.removeLast()
            } else if last >= 0x80, let length = trailingWhiteSpaceLength(bytes) {
                bytes.removeLast(length)
            } else {
                break
            }
        }
    }

    /// The byte length of the non-ASCII white-space scalar `bytes` starts with, or nil.
    private static func leadingWhiteSpaceLength(_ bytes: ArraySlice<UInt8>) -> Int? {
        guard let lead = bytes.first else { return nil }
        let length = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : 2
        return isWhiteSpace(bytes.prefix(length)) ? length : nil
    }

    /// The byte length of the non-ASCII white-space scalar `bytes` ends with, or nil.
    private static func trailingWhiteSpaceLength(_ bytes: ArraySlice<UInt8>) -> Int? {
        // Back over continuation bytes (10xxxxxx) to the lead byte; `bytes` is valid UTF-8 (from a String).
        var start = bytes.endIndex - 1
        while start > bytes.startIndex, bytes[start] & 0xC0 == 0x80, bytes.endIndex - start < 4 { start -= 1 }
        return isWhiteSpace(bytes[start...]) ? bytes.endIndex - start : nil
    }

    /// Whether `bytes` are exactly one Unicode scalar with the `White_Space` property.
    private static func isWhiteSpace(_ bytes: ArraySlice<UInt8>) -> Bool {
        let scalars = String(decoding: bytes, as: UTF8.self).unicodeScalars
        guard let scalar = scalars.first, scalars.count == 1 else { return false }
        return scalar.properties.isWhitespace
    }

    private static func isSpace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x09 || byte == 0x0D || byte == 0x0A
    }
}
