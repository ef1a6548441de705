@testable import SluiceCore

extension JSONDocument {
    /// The value at `index` as compact JSON: members in document order, numbers as written, strings
    /// decoded then re-escaped minimally (`"`, `\` and control bytes), so two equal trees print alike.
    func canonical(_ index: Index) -> String {
        var out = ""
        write(index, to: &out)
        return out
    }

    /// The whole document's `canonical(_:)` text.
    var canonical: String { canonical(root) }

    private func write(_ index: Index, to out: inout String) {
        switch kind(index) {
        case .null: out += "null"
        case .bool: out += bool(index)! ? "true" : "false"
        case .number: out += number(index)!
        case .string: Self.quote(string(index)!, to: &out)
        case .array:
            out += "["
            for (n, element) in elements(index).enumerated() {
                if n > 0 { out += "," }
                write(element, to: &out)
            }
            out += "]"
        case .object:
            out += "{"
            for (n, member) in members(index).enumerated() {
                if n > 0 { out += "," }
                Self.quote(member.key, to: &out)
                out += ":"
                write(member.value, to: &out)
            }
            out += "}"
        }
    }

    static func quote(_ s: String, to out: inout String) {
        out += "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
        out += "\""
    }
}
