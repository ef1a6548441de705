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

    /// Splits `raw` into local part and domain; surrounding whitespace (CR/LF included) is trimmed.
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

    private static func trim(_ bytes: inout ArraySlice<UInt8>) {
        while let first = bytes.first, isSpace(first) { bytes.removeFirst() }
        while let last = bytes.last, isSpace(last) { bytes.removeLast() }
    }

    private static func isSpace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x09 || byte == 0x0D || byte == 0x0A
    }
}
