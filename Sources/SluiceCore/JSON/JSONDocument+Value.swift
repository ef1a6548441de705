extension JSONDocument {
    /// The value at `index` as a `JSONValue` tree (what `JSONReader` returns for the same text).
    public func value(_ index: Index) -> JSONValue {
        switch nodes[index.node].kind {
        case .null: return .null
        case .true: return .bool(true)
        case .false: return .bool(false)
        case .number: return .number(number(index) ?? "")
        case .string: return .string(string(index) ?? "")
        case .array: return .array(elements(index).map(value))
        case .object:
            var members: [JSONObject.Member] = []
            forEachMember(index) { key, value in members.append(JSONObject.Member(key: keyString(key), value: self.value(value))) }
            return .object(JSONObject(members: members))
        }
    }
}
