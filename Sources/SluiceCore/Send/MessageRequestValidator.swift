import Foundation

/// Turns a `MessageRequest` into an `OutboundMessage` or a `SendValidationError` (aws-reference §3.2 limits).
public struct MessageRequestValidator: Sendable {
    /// SES: 50 recipients per message (to + cc + bcc).
    public static let maxRecipients = 50
    /// SES v2: 40 MB per message after base64 encoding.
    public static let maxEncodedMessageBytes = 40 * 1024 * 1024
    /// SES: at most 15 extra headers on a simple message.
    public static let maxHeaders = 15
    public static let maxTags = 50
    public static let maxReplyTo = 50
    /// Headers SES builds from other fields; setting them in `headers` would conflict.
    static let reservedHeaders: Set<String> = [
        "from", "to", "cc", "bcc", "subject", "reply-to", "content-type", "content-transfer-encoding",
        "mime-version", "date", "message-id", "return-path", "sender",
    ]

    private let addresses = EmailAddressValidator(configuration: EmailAddressValidatorConfiguration(allowDisplayName: false))
    private let mailboxes = EmailAddressValidator(configuration: EmailAddressValidatorConfiguration(allowDisplayName: true))

    public init() {}

    /// Most elements `field` of a request may hold (to, cc, bcc, reply_to, headers, tags); nil for other fields.
    /// The JSON reader stops at it (`MessageRequest.parse`) before making a string of any element.
    public static func elementLimit(of field: String) -> Int? {
        switch field {
        case "to", "cc", "bcc": maxRecipients
        case "reply_to": maxReplyTo
        case "headers": maxHeaders
        case "tags": maxTags
        default: nil
        }
    }

    /// The error for more than `elementLimit(of: field)` elements, the same whether `validate` or the JSON
    /// reader finds it.
    public static func tooManyElements(in field: String) -> SendValidationError {
        switch field {
        case "reply_to": SendValidationError(.tooManyRecipients, field: field, "at most \(maxReplyTo) reply_to addresses")
        case "headers": SendValidationError(.invalidHeader, field: field, "at most \(maxHeaders) headers")
        case "tags": SendValidationError(.invalidTag, field: field, "at most \(maxTags) tags")
        default: SendValidationError(.tooManyRecipients, field: field, "SES accepts at most \(maxRecipients) recipients per message")
        }
    }

    public func validate(_ request: MessageRequest) throws(SendValidationError) -> OutboundMessage {
        guard let fromText = request.from, !fromText.isEmpty else {
            throw SendValidationError(.missingField, field: "from", "from is required")
        }
        let (from, fromAddress) = try sender(fromText)
        var seen = Set<String>()
        let to = try recipients(request.to, field: "to", seen: &seen)
        let cc = try recipients(request.cc, field: "cc", seen: &seen)
        let bcc = try recipients(request.bcc, field: "bcc", seen: &seen)
        let total = to.count + cc.count + bcc.count
        guard total > 0 else {
            throw SendValidationError(.noRecipients, field: "to", "give at least one recipient in to, cc or bcc")
        }
        guard total <= Self.maxRecipients else {
            throw SendValidationError(
                .tooManyRecipients, field: "to", "\(total) recipients; SES accepts at most \(Self.maxRecipients) per message")
        }
        let replyToList = request.replyTo ?? []
        guard replyToList.count <= Self.maxReplyTo else { throw Self.tooManyElements(in: "reply_to") }
        var replyTo: [String] = []
        for (index, address) in replyToList.enumerated() {
            replyTo.append(try checked(address, field: "reply_to", index: index))
        }
        let tags = try checkedTags(request.tags)
        let configurationSet = try checkedConfigurationSet(request.configurationSet)
        var message = OutboundMessage(
            from: from, fromAddress: fromAddress, to: to, cc: cc, bcc: bcc, replyTo: replyTo, tags: tags,
            configurationSet: configurationSet)
        if request.bulk == true || request.list != nil { message.bulk = true }
        if let list = request.list {
            // A suppression scope: `list` or `list/topic`, printable ASCII, at most 255 bytes.
            let parts = list.split(separator: "/", omittingEmptySubsequences: false)
            guard (1...255).contains(list.utf8.count), parts.count <= 2, parts.allSatisfy({ !$0.isEmpty }),
                list.utf8.allSatisfy({ (33...126).contains($0) })
            else {
                throw SendValidationError(.invalidUnsubscribe, field: "list", "list is a scope name: list or list/topic, 1-255 printable ASCII characters")
            }
            message.list = list
        }
        if let raw = request.raw {
            try checkRawExclusive(request)
            message.raw = try decodedRaw(raw)
        } else {
            try fillSimple(&message, from: request)
        }
        return message
    }

    private func fillSimple(_ message: inout OutboundMessage, from request: MessageRequest) throws(SendValidationError) {
        guard let subject = request.subject else {
            throw SendValidationError(.missingField, field: "subject", "subject is required (or send raw MIME in raw)")
        }
        guard !subject.utf8.contains(where: { $0 == 0x0D || $0 == 0x0A }) else {
            throw SendValidationError(.invalidContent, field: "subject", "subject must not contain CR or LF")
        }
        guard request.text != nil || request.html != nil else {
            throw SendValidationError(.missingField, field: "text", "give text and/or html")
        }
        message.subject = subject
        message.text = request.text
        message.html = request.html
        message.headers = try checkedHeaders(request.headers)
        var size = subject.utf8.count + (request.text?.utf8.count ?? 0) + (request.html?.utf8.count ?? 0)
        for header in message.headers { size += header.name.utf8.count + header.value.utf8.count + 4 }
        // SES counts the message after base64 encoding of its parts: 4/3 of the content.
        if (size + 2) / 3 * 4 > Self.maxEncodedMessageBytes {
            throw SendValidationError(.tooLarge, field: "text", "the message exceeds SES's 40 MB limit")
        }
    }

    private func checkRawExclusive(_ request: MessageRequest) throws(SendValidationError) {
        let conflicting: [(String, Bool)] = [
            ("subject", request.subject != nil), ("text", request.text != nil), ("html", request.html != nil),
            ("headers", !(request.headers ?? [:]).isEmpty),
        ]
        if let field = conflicting.first(where: { $0.1 })?.0 {
            throw SendValidationError(.invalidContent, field: field, "\(field) cannot be combined with raw; put it in the MIME message")
        }
    }

    private func decodedRaw(_ raw: String) throws(SendValidationError) -> Data {
        guard raw.utf8.count <= Self.maxEncodedMessageBytes else {
            throw SendValidationError(.tooLarge, field: "raw", "the raw message exceeds SES's 40 MB limit (base64)")
        }
        guard let data = Data(base64Encoded: raw, options: .ignoreUnknownCharacters), !data.isEmpty else {
            throw SendValidationError(.invalidRaw, field: "raw", "raw must be a non-empty base64 MIME message")
        }
        // Headers, a blank line, a body: without the blank line SES would read everything as headers.
        let crlf = Data("\r\n\r\n".utf8), lf = Data("\n\n".utf8)
        guard data.range(of: crlf) != nil || data.range(of: lf) != nil else {
            throw SendValidationError(.invalidRaw, field: "raw", "raw must hold headers, a blank line and a body")
        }
        return data
    }

    private func sender(_ text: String) throws(SendValidationError) -> (header: String, address: String) {
        let address: String
        do {
            address = try mailboxes.validate(text)
        } catch {
            throw SendValidationError(.invalidAddress, field: "from", "from: \(error.message)")
        }
        guard let open = text.utf8.lastIndex(of: UInt8(ascii: "<")) else { return (address, address) }
        let head = text.utf8[..<open]
        // The usual ASCII display name is handled on bytes; Unicode names take the general path below.
        if head.allSatisfy({ $0 < 0x80 }) {
            guard let header = DisplayName.asciiHeader(name: head, address: address) else { return (address, address) }
            return (header, address)
        }
        var name = text[..<open].trimmingCharacters(in: .whitespaces)
        if name.hasPrefix("\""), name.hasSuffix("\""), name.count >= 2 { name = String(name.dropFirst().dropLast()) }
        guard !name.isEmpty else { return (address, address) }
        return (DisplayName.encode(name) + " <" + address + ">", address)
    }

    private func recipients(_ list: [String]?, field: String, seen: inout Set<String>) throws(SendValidationError) -> [String] {
        guard let list else { return [] }
        guard list.count <= Self.maxRecipients else { throw Self.tooManyElements(in: field) }
        var result: [String] = []
        for (index, raw) in list.enumerated() {
            let address = try checked(raw, field: field, index: index)
            // The same mailbox twice would be mailed (and counted) twice; keep the first.
            if seen.insert(address.lowercased()).inserted { result.append(address) }
        }
        return result
    }

    /// `field[index]` is named in the error only (not built for every valid address).
    private func checked(_ address: String, field: String, index: Int) throws(SendValidationError) -> String {
        do {
            return try addresses.validate(address)
        } catch {
            let name = "\(field)[\(index)]"
            throw SendValidationError(.invalidAddress, field: name, "\(name): \(error.message)")
        }
    }

    private func checkedHeaders(_ headers: [String: String]?) throws(SendValidationError) -> [OutboundMessage.Header] {
        guard let headers, !headers.isEmpty else { return [] }
        guard headers.count <= Self.maxHeaders else { throw Self.tooManyElements(in: "headers") }
        var result: [OutboundMessage.Header] = []
        for (name, value) in headers.sorted(by: { $0.key < $1.key }) {
            let field = "headers.\(name.prefix(64))"
            // SES: name 1-126 of `[!-9;-@A-~]`, value 1-995 printable ASCII, name+value ≤ 996.
            guard (1...126).contains(name.utf8.count), name.utf8.allSatisfy({ (33...126).contains($0) && $0 != 58 }) else {
                throw SendValidationError(.invalidHeader, field: field, "header names are 1-126 printable ASCII characters without ':'")
            }
            guard !Self.reservedHeaders.contains(name.lowercased()) else {
                throw SendValidationError(.invalidHeader, field: field, "\(name) is set from its own field, not in headers")
            }
            guard (1...995).contains(value.utf8.count), value.utf8.allSatisfy({ (32...126).contains($0) }),
                name.utf8.count + value.utf8.count <= 996
            else {
                throw SendValidationError(.invalidHeader, field: field, "header values are 1-995 printable ASCII characters")
            }
            result.append(.init(name: name, value: value))
        }
        return result
    }

    private func checkedTags(_ tags: [String: String]?) throws(SendValidationError) -> [OutboundMessage.Tag] {
        guard let tags, !tags.isEmpty else { return [] }
        guard tags.count <= Self.maxTags else { throw Self.tooManyElements(in: "tags") }
        var result: [OutboundMessage.Tag] = []
        for (name, value) in tags.sorted(by: { $0.key < $1.key }) {
            guard Self.isTagText(name), Self.isTagText(value) else {
                throw SendValidationError(.invalidTag, field: "tags.\(name.prefix(64))", "tag names and values are 1-256 of A-Z a-z 0-9 _ -")
            }
            result.append(.init(name: name, value: value))
        }
        return result
    }

    private func checkedConfigurationSet(_ name: String?) throws(SendValidationError) -> String? {
        guard let name else { return nil }
        guard name.utf8.count <= 64, Self.isTagText(name) else {
            throw SendValidationError(.invalidConfigurationSet, field: "configuration_set", "configuration set names are 1-64 of A-Z a-z 0-9 _ -")
        }
        return name
    }

    static func isTagText(_ text: String) -> Bool {
        (1...256).contains(text.utf8.count)
            && text.utf8.allSatisfy { ($0 >= 48 && $0 <= 57) || ($0 >= 65 && $0 <= 90) || ($0 >= 97 && $0 <= 122) || $0 == 95 || $0 == 45 }
    }
}
