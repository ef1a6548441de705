/// The request header in which trusted proxies name the client: one per deployment, because a proxy passes
/// the other header on as the client wrote it (reading both would let a client pick the one it forged).
public enum ForwardedHeader: String, Sendable, CaseIterable {
    /// `X-Forwarded-For: 198.51.100.7, 10.0.0.2` (nginx, HAProxy, AWS load balancers).
    case xForwardedFor = "x-forwarded-for"
    /// `Forwarded: for=198.51.100.7;proto=https, for="[2001:db8::7]:4711"` (RFC 7239).
    case forwarded = "forwarded"

    /// The hops the header's values name, nearest first (right to left), at most `limit`: each the address text
    /// as written (maybe with a port, IPv6 maybe in brackets), or an empty string for a hop that names none
    /// (`unknown`, an obfuscated node, an element without `for`, a malformed element).
    ///
    /// `Forwarded` is split from the right, so an unbalanced quote in what the client wrote cannot swallow the
    /// elements proxies appended after it.
    public func hops(in values: [String], limit: Int) -> [Substring] {
        var hops: [Substring] = []
        for value in values.reversed() {
            for element in Self.elementsFromTheRight(value[...], quoted: self == .forwarded) {
                guard hops.count < limit else { return hops }
                hops.append(self == .forwarded ? Self.forValue(of: element) ?? "" : element.trimmingASCIISpaces())
            }
        }
        return hops
    }

    /// The comma-separated elements of one value, last first; commas inside quoted strings (RFC 7239 only)
    /// do not split.
    private static func elementsFromTheRight(_ value: Substring, quoted: Bool) -> [Substring] {
        var elements: [Substring] = []
        var end = value.endIndex
        var inQuotes = false
        var index = value.endIndex
        while index > value.startIndex {
            index = value.index(before: index)
            switch value[index] {
            case "\"" where quoted && !isEscaped(value, at: index):
                inQuotes.toggle()
            case "," where !inQuotes:
                elements.append(value[value.index(after: index)..<end])
                end = index
            default:
                break
            }
        }
        elements.append(value[value.startIndex..<end])
        return elements
    }

    /// Whether the character at `index` follows an odd run of backslashes (a quoted-pair).
    private static func isEscaped(_ text: Substring, at index: Substring.Index) -> Bool {
        var backslashes = 0
        var cursor = index
        while cursor > text.startIndex {
            cursor = text.index(before: cursor)
            guard text[cursor] == "\\" else { break }
            backslashes += 1
        }
        return backslashes % 2 == 1
    }

    /// The `for` parameter of one RFC 7239 element, unquoted; nil when the element has none, has it twice,
    /// or is not `name=value` pairs separated by `;`.
    static func forValue(of element: Substring) -> Substring? {
        var found: Substring?
        var rest = element
        while !rest.isEmpty {
            let pair = rest.trimmingASCIISpaces()
            guard let equals = pair.firstIndex(of: "=") else { return nil }
            let name = pair[..<equals]
            guard !name.isEmpty, name.allSatisfy(\.isRFC7230TokenCharacter) else { return nil }
            guard let (value, after) = parameterValue(pair[pair.index(after: equals)...]) else { return nil }
            if name.lowercased() == "for" {
                guard found == nil else { return nil }
                found = value
            }
            rest = after
        }
        return found
    }

    /// A token or quoted-string at the start of `text`, and what follows its `;` (empty at the end).
    private static func parameterValue(_ text: Substring) -> (value: Substring, rest: Substring)? {
        if text.first == "\"" {
            var value = ""
            var index = text.index(after: text.startIndex)
            while index < text.endIndex {
                let character = text[index]
                if character == "\"" {
                    let after = text[text.index(after: index)...].trimmingASCIISpaces()
                    guard after.isEmpty || after.first == ";" else { return nil }
                    return (Substring(value), after.isEmpty ? after : after.dropFirst())
                }
                if character == "\\" {
                    index = text.index(after: index)
                    guard index < text.endIndex else { return nil }
                }
                value.append(text[index])
                index = text.index(after: index)
            }
            return nil  // unterminated
        }
        let end = text.firstIndex(of: ";") ?? text.endIndex
        let value = text[..<end].trimmingASCIISpaces()
        guard !value.isEmpty, value.allSatisfy(\.isRFC7230TokenCharacter) else { return nil }
        return (value, end == text.endIndex ? text[end...] : text[text.index(after: end)...])
    }
}

extension Character {
    /// RFC 7230 `tchar`.
    fileprivate var isRFC7230TokenCharacter: Bool {
        guard let ascii = asciiValue, ascii > 0x20, ascii < 0x7F else { return false }
        return !"\"(),/:;<=>?@[\\]{}".contains(self)
    }
}

extension Substring {
    fileprivate func trimmingASCIISpaces() -> Substring {
        var text = self
        while text.first == " " || text.first == "\t" { text.removeFirst() }
        while text.last == " " || text.last == "\t" { text.removeLast() }
        return text
    }
}
