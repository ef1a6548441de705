import SluiceCore
import Dispatch
import Logging

/// A stub resolver: asks recursive servers over UDP (EDNS0), falls back to TCP on TC=1, retries
/// across servers, follows CNAMEs. Socket work runs on threads of its own (`BlockingWork`), bounded by poll() timeouts.
public struct DNSResolver: DNSLookup {
    /// The settings given at init.
    public let configuration: DNSResolverConfiguration
    private let servers: [DNSServerAddress]
    private let logger: Logger

    /// Socket calls block a thread for up to one timeout; keep them off Swift's cooperative pool.

    /// - Throws: `.configuration` when no server is configured and resolv.conf lists none.
    public init(
        configuration: DNSResolverConfiguration = DNSResolverConfiguration(), logger: Logger,
        resolvConfPath: String = "/etc/resolv.conf"
    ) throws(DNSError) {
        self.configuration = configuration
        self.servers = try configuration.resolvedServers(resolvConfPath: resolvConfPath)
        self.logger = logger
    }

    public func lookup(_ name: String, _ type: DNSRecordType) async throws(DNSError) -> DNSLookupResult {
        var current = DNSName.normalized(name)
        var chain: [String] = []
        var seen: Set<String> = [current]
        while true {
            let answer = try await query(current, type)
            let resolution = DNSResolver.follow(answer, from: current, type: type)
            chain += resolution.chain
            switch resolution.outcome {
            case .records(let records):
                return DNSLookupResult(status: .found, records: records, cnameChain: chain)
            case .nxdomain:
                return DNSLookupResult(status: .nxdomain, cnameChain: chain)
            case .noData:
                return DNSLookupResult(status: .noData, cnameChain: chain)
            case .pending(let target):
                // The server gave a CNAME without its target's records: ask for the target. A loop
                // or an over-long chain is answered like recursive resolvers do: SERVFAIL.
                guard chain.count < configuration.maxCNAMEDepth, seen.insert(target).inserted else {
                    throw DNSError(.serverFailure, "CNAME chain from \(name) is too long or loops")
                }
                current = target
            }
            guard chain.count <= configuration.maxCNAMEDepth else {
                throw DNSError(.serverFailure, "CNAME chain from \(name) is too long")
            }
        }
    }

    /// One query, tried over every server for `attempts` rounds; returns the first usable answer.
    public func query(_ name: String, _ type: DNSRecordType) async throws(DNSError) -> DNSMessage {
        var lastError = DNSError(.timeout, "no DNS server answered")
        for attempt in 0..<max(1, configuration.attempts) {
            for server in servers {
                guard !Task.isCancelled else { throw DNSError(.cancelled, "lookup of \(name) \(type) cancelled") }
                do {
                    var message = try await exchange(name, type, server: server, edns: true)
                    if message.responseCode == .formatError && message.ednsPayloadSize == nil {
                        // RFC 6891 §7: a server without EDNS answers FORMERR; ask it again without OPT.
                        message = try await exchange(name, type, server: server, edns: false)
                    }
                    switch message.responseCode {
                    case .noError, .nameError:
                        guard let problem = DNSResolver.unusableAnswerProblem(message) else { return message }
                        lastError = DNSError(.serverFailure, "\(server) \(problem) for \(name) \(type)")
                    case .refused, .notImplemented:
                        lastError = DNSError(.refused, "\(server) answered \(message.responseCode) for \(name) \(type)")
                    default:
                        lastError = DNSError(.serverFailure, "\(server) answered \(message.responseCode) for \(name) \(type)")
                    }
                } catch {
                    guard error.isTemporary || error.code == .malformed else { throw error }
                    lastError = error
                }
                logger.debug(
                    "dns query failed",
                    metadata: [
                        "dns.name": "\(name)", "dns.type": "\(type)", "dns.server": "\(server)",
                        "dns.attempt": "\(attempt + 1)", "dns.error": "\(lastError.code)",
                    ])
            }
        }
        throw lastError
    }

    /// Sends one query to one server: UDP, then TCP if truncated; checks ID and question.
    private func exchange(
        _ name: String, _ type: DNSRecordType, server: DNSServerAddress, edns: Bool
    ) async throws(DNSError) -> DNSMessage {
        // SystemRandomNumberGenerator (getrandom) picks the ID; the kernel picks a random source port.
        let id = UInt16.random(in: 0...UInt16.max)
        var message = DNSMessage.query(id: id, name: name, type: type, payloadSize: configuration.udpPayloadSize)
        if !edns { message.ednsPayloadSize = nil }
        let query = try message.encode()
        let question = DNSQuestion(name: name, type: type)
        let timeout = configuration.timeout
        let fallback = configuration.useTCPFallback
        let result: Result<DNSMessage, DNSError> = await withCheckedContinuation { continuation in
            BlockingWork.start {
                continuation.resume(
                    returning: Result { () throws(DNSError) -> DNSMessage in
                        let deadline = ContinuousClock.now.advanced(by: .milliseconds(Int(timeout * 1000)))
                        let datagram = try DNSTransport.udpExchange(query, server: server, deadline: deadline) {
                            DNSResolver.matches($0, id: id, question: question)
                        }
                        // A TC=1 answer may be cut inside a record: the header decides, the rest may not decode.
                        let header = try DNSMessage(decodingHeaderAndQuestions: datagram)
                        guard header.isTruncated, fallback else { return try DNSResolver.decode(datagram, header: header) }
                        let tcpDeadline = ContinuousClock.now.advanced(by: .milliseconds(Int(timeout * 1000)))
                        let stream = try DNSTransport.tcpExchange(query, server: server, deadline: tcpDeadline)
                        guard DNSResolver.matches(stream, id: id, question: question) else {
                            throw DNSError(.malformed, "TCP answer from \(server) does not match the query")
                        }
                        return try DNSMessage(decoding: stream)
                    })
            }
        }
        return try result.get()
    }

    /// A UDP answer in full; a truncated one that does not decode is taken as its header (no records), as
    /// servers that cut at a record boundary send it.
    private static func decode(_ datagram: [UInt8], header: DNSMessage) throws(DNSError) -> DNSMessage {
        do {
            return try DNSMessage(decoding: datagram)
        } catch {
            guard header.isTruncated else { throw error }
            return header
        }
    }

    /// Whether a datagram answers our query: response bit, same ID, same single question. Judged on the
    /// header and question alone, so a truncated answer cut inside a record still counts (and leads to TCP).
    static func matches(_ bytes: [UInt8], id: UInt16, question: DNSQuestion) -> Bool {
        guard let message = try? DNSMessage(decodingHeaderAndQuestions: bytes) else { return false }
        guard message.isResponse, message.id == id, message.questions.count == 1 else { return false }
        let asked = message.questions[0]
        return asked.type == question.type && asked.dnsClass == question.dnsClass
            && DNSName.normalized(asked.name) == DNSName.normalized(question.name)
    }
}
