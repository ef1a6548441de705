import Foundation
import SluiceTestSupport
import Synchronization

/// The SluiceDNS tests' DNS stand-in (`Tests/SluiceDNSTests/Support/dns_server.py`, PyPI dnslib) serving a
/// zone the test writes, on 127.0.0.1 UDP and TCP: app tests need records (DKIM tokens from SES) known
/// only at run time.
// @unchecked Sendable: `process` and `stdin` are set in init and only `stop()` touches them after.
final class ZoneDNSServer: @unchecked Sendable {
    let port: Int
    private let process: Process
    private let stdin: Pipe
    private let directory: TestDirectory

    /// `dns.servers` value for the app.
    var serverList: String { "127.0.0.1:\(port)" }

    static let script = repositoryRoot.appendingPathComponent("Tests/SluiceDNSTests/Support/dns_server.py").path

    /// Serves `zone` (BIND master format, absolute names) plus amazonses.com's SPF record, and waits (at most 20 s) for "READY <port>".
    init(zone: String) throws {
        directory = try TestDirectory(prefix: "sluice-zone")
        let zoneFile = directory.path + "/test.zone"
        // SES's own SPF record (ip4 only, as the real one), which every `include:amazonses.com` reads.
        let text = "$TTL 300\namazonses.com. IN TXT \"v=spf1 ip4:199.255.192.0/22 -all\"\n" + zone + "\n"
        try Data(text.utf8).write(to: URL(fileURLWithPath: zoneFile))
        process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", Self.script, "--zone", zoneFile, "--port", "0", "--exit-on-stdin-eof", "--lifetime", "300"]
        let stdout = Pipe()
        stdin = Pipe()
        process.standardOutput = stdout
        process.standardError = FileHandle.nullDevice
        process.standardInput = stdin
        try process.run()
        let line = stdout.fileHandleForReading.firstLine(within: 20)
        guard let line, line.hasPrefix("READY "), let port = Int(line.dropFirst("READY ".count)) else {
            process.terminate()
            process.waitUntilExit()
            throw TestSupportError("DNS stand-in did not start (needs python3 with the PyPI package dnslib)")
        }
        self.port = port
    }

    func stop() {
        try? stdin.fileHandleForWriting.close()
        if process.isRunning { process.terminate() }
        process.waitUntilExit()
    }

    deinit { if process.isRunning { process.terminate() } }

    /// The zone of a sending domain with every record right (SPF, DMARC, the Easy DKIM CNAMEs of `tokens`).
    static func goodDomain(_ domain: String, tokens: [String]) -> String {
        var lines = [
            "\(domain). IN TXT \"v=spf1 include:amazonses.com ~all\"",
            "_dmarc.\(domain). IN TXT \"v=DMARC1; p=quarantine; rua=mailto:dmarc@\(domain)\"",
        ]
        for token in tokens { lines.append("\(token)._domainkey.\(domain). IN CNAME \(token).dkim.amazonses.com.") }
        return lines.joined(separator: "\n")
    }
}
