/// A DNS message (RFC 1035 §4.1) with EDNS(0) folded into `ednsPayloadSize` / `responseCode`.
public struct DNSMessage: Sendable, Hashable {
    public var id: UInt16
    /// QR: true for a response.
    public var isResponse: Bool
    public var opcode: UInt8
    public var isAuthoritative: Bool
    /// TC: the answer did not fit the transport; ask again over TCP.
    public var isTruncated: Bool
    public var recursionDesired: Bool
    public var recursionAvailable: Bool
    /// RCODE including the EDNS extended high bits when an OPT record was present.
    public var responseCode: DNSResponseCode
    public var questions: [DNSQuestion]
    public var answers: [DNSRecord]
    public var authority: [DNSRecord]
    /// Additional records other than OPT.
    public var additional: [DNSRecord]
    /// The OPT UDP payload size, or nil when the message carries no OPT record.
    public var ednsPayloadSize: UInt16?
    /// EDNS options from the OPT record.
    public var ednsOptions: [DNSOption]

    public init(
        id: UInt16, isResponse: Bool = false, opcode: UInt8 = 0, isAuthoritative: Bool = false,
        isTruncated: Bool = false, recursionDesired: Bool = true, recursionAvailable: Bool = false,
        responseCode: DNSResponseCode = .noError, questions: [DNSQuestion] = [], answers: [DNSRecord] = [],
        authority: [DNSRecord] = [], additional: [DNSRecord] = [], ednsPayloadSize: UInt16? = nil,
        ednsOptions: [DNSOption] = []
    ) {
        self.id = id
        self.isResponse = isResponse
        self.opcode = opcode
        self.isAuthoritative = isAuthoritative
        self.isTruncated = isTruncated
        self.recursionDesired = recursionDesired
        self.recursionAvailable = recursionAvailable
        self.responseCode = responseCode
        self.questions = questions
        self.answers = answers
        self.authority = authority
        self.additional = additional
        self.ednsPayloadSize = ednsPayloadSize
        self.ednsOptions = ednsOptions
    }

    /// A recursive query for one name and type with an EDNS(0) OPT record (RFC 6891).
    public static func query(id: UInt16, name: String, type: DNSRecordType, payloadSize: UInt16 = 1232) -> DNSMessage {
        DNSMessage(
            id: id, questions: [DNSQuestion(name: name, type: type)], ednsPayloadSize: payloadSize)
    }

    /// Encodes to wire format, compressing repeated name suffixes.
    public func encode() throws(DNSError) -> [UInt8] {
        var writer = DNSWireWriter()
        writer.u16(id)
        var flags: UInt16 = 0
        if isResponse { flags |= 0x8000 }
        flags |= UInt16(opcode & 0x0F) << 11
        if isAuthoritative { flags |= 0x0400 }
        if isTruncated { flags |= 0x0200 }
        if recursionDesired { flags |= 0x0100 }
        if recursionAvailable { flags |= 0x0080 }
        flags |= responseCode.rawValue & 0x000F
        writer.u16(flags)
        let hasOPT = ednsPayloadSize != nil
        for count in [questions.count, answers.count, authority.count, additional.count + (hasOPT ? 1 : 0)] {
            guard count <= Int(UInt16.max) else { throw DNSError(.malformed, "too many records in one section") }
            writer.u16(UInt16(count))
        }
        for question in questions {
            try writer.name(question.name)
            writer.u16(question.type.rawValue)
            writer.u16(question.dnsClass)
        }
        for record in answers + authority + additional { try writer.record(record) }
        if let ednsPayloadSize {
            // Extended RCODE high 8 bits live in the OPT TTL (RFC 6891 §6.1.3).
            let ttl = UInt32((responseCode.rawValue >> 4) & 0xFF) << 24
            let opt = DNSRecord(name: "", type: .opt, dnsClass: ednsPayloadSize, ttl: ttl, data: .opt(ednsOptions))
            try writer.record(opt)
        }
        return writer.bytes
    }

    /// Decodes a wire-format message; every length and pointer is bounds-checked.
    public init(decoding bytes: [UInt8]) throws(DNSError) {
        var reader = DNSWireReader(bytes)
        let (header, counts) = try Self.readHeaderAndQuestions(&reader)
        self = header
        // Each record needs ≥ 11 bytes: reject impossible counts before looping.
        guard (counts.answers + counts.authority + counts.additional) * 11 <= reader.remaining else {
            throw DNSError(.malformed, "section counts exceed the message length")
        }
        var rcode = responseCode.rawValue
        var answers: [DNSRecord] = []
        for _ in 0..<counts.answers { answers.append(try reader.record()) }
        self.answers = answers
        var authority: [DNSRecord] = []
        for _ in 0..<counts.authority { authority.append(try reader.record()) }
        self.authority = authority
        var additional: [DNSRecord] = []
        var payload: UInt16?
        var options: [DNSOption] = []
        for _ in 0..<counts.additional {
            let record = try reader.record()
            if record.type == .opt {
                // RFC 6891 §6.1.1: more than one OPT is a FORMERR.
                guard payload == nil else { throw DNSError(.malformed, "more than one OPT record") }
                guard record.name.isEmpty else { throw DNSError(.malformed, "OPT record with a non-root owner") }
                payload = record.dnsClass
                if case .opt(let opts) = record.data { options = opts }
                rcode |= UInt16(record.ttl >> 24) << 4
            } else {
                additional.append(record)
            }
        }
        self.additional = additional
        ednsPayloadSize = payload
        ednsOptions = options
        responseCode = DNSResponseCode(rawValue: rcode)
    }

    /// Decodes the header and the question section only: no records, no OPT (so `ednsPayloadSize` is nil and
    /// `responseCode` lacks the EDNS high bits). Enough to tell whether a datagram answers a query, even a
    /// TC=1 one cut inside a record.
    public init(decodingHeaderAndQuestions bytes: [UInt8]) throws(DNSError) {
        var reader = DNSWireReader(bytes)
        self = try Self.readHeaderAndQuestions(&reader).header
    }

    /// Reads the header and questions, leaving `reader` at the first record.
    /// - Returns: a message without records, and the record counts the header gives.
    private static func readHeaderAndQuestions(
        _ reader: inout DNSWireReader
    ) throws(DNSError) -> (header: DNSMessage, counts: (answers: Int, authority: Int, additional: Int)) {
        let id = try reader.u16()
        let flags = try reader.u16()
        let qdCount = Int(try reader.u16())
        let counts = (answers: Int(try reader.u16()), authority: Int(try reader.u16()), additional: Int(try reader.u16()))
        // Each question needs ≥ 5 bytes: reject impossible counts before looping.
        guard qdCount * 5 <= reader.remaining else { throw DNSError(.malformed, "question count exceeds the message length") }
        var questions: [DNSQuestion] = []
        for _ in 0..<qdCount {
            let name = try reader.name()
            let type = DNSRecordType(rawValue: try reader.u16())
            let dnsClass = try reader.u16()
            questions.append(DNSQuestion(name: name, type: type, dnsClass: dnsClass))
        }
        let header = DNSMessage(
            id: id, isResponse: flags & 0x8000 != 0, opcode: UInt8((flags >> 11) & 0x0F), isAuthoritative: flags & 0x0400 != 0,
            isTruncated: flags & 0x0200 != 0, recursionDesired: flags & 0x0100 != 0, recursionAvailable: flags & 0x0080 != 0,
            responseCode: DNSResponseCode(rawValue: flags & 0x000F), questions: questions)
        return (header, counts)
    }
}
