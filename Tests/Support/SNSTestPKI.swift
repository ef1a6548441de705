import Foundation

/// A throwaway PKI made once per test process with the `openssl` CLI (fixed arguments, temp directory
/// removed when the process exits):
/// Scripts/make-test-certs for the test CA and the 127.0.0.1 TLS server certificate, then RSA signing
/// certificates issued by the same CA:
///   sns            CN/SAN sns.amazonaws.com, valid now
///   sns-other      CN/SAN sns.amazonaws.com, valid now, a different key
///   sns-expired    CN/SAN sns.amazonaws.com, valid 2019-01-01 to 2020-01-01
///   sns-wrongname  CN/SAN sns.amazonaws.com.evil.example
///   sns-regional   CN/SAN sns-signing.us-east-1.amazonaws.com (the newer-region name)
public struct SNSTestPKI: Sendable {
    public let directory: String

    public func path(_ name: String) -> String { directory + "/" + name }
    public var caFile: String { path("ca.pem") }
    public func pem(_ name: String) throws -> [UInt8] { Array(try Data(contentsOf: URL(fileURLWithPath: path("\(name).pem")))) }

    public static let shared: Result<SNSTestPKI, SNSTestError> = {
        do {
            return .success(try make())
        } catch {
            return .failure(SNSTestError("\(error)"))
        }
    }()

    /// Loads (first call: generates) the PKI off the cooperative pool; see `offPool`.
    public static func load() async throws -> SNSTestPKI { try await offPool { try shared.get() } }

    private static func make() throws(SNSTestError) -> SNSTestPKI {
        let script = SNSTestPaths.repositoryRoot.appendingPathComponent("Scripts/make-test-certs").path
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("sluice-sns-pki-\(UUID().uuidString)").path
        removeAtProcessExit(directory)  // used by tests until the end: nothing releases a static
        try run("/bin/sh", [script, directory], in: nil)
        let config = """
            [ ca ]
            default_ca = test_ca
            [ test_ca ]
            database = index.txt
            new_certs_dir = .
            serial = serial
            default_md = sha256
            policy = any
            unique_subject = no
            copy_extensions = none
            [ any ]
            commonName = supplied
            [ sns_global ]
            basicConstraints = CA:FALSE
            subjectAltName = DNS:sns.amazonaws.com
            [ sns_wrong ]
            basicConstraints = CA:FALSE
            subjectAltName = DNS:sns.amazonaws.com.evil.example
            [ sns_regional ]
            basicConstraints = CA:FALSE
            subjectAltName = DNS:sns-signing.us-east-1.amazonaws.com

            """
        do {
            try config.write(toFile: directory + "/sns-ca.cnf", atomically: true, encoding: .utf8)
        } catch {
            throw SNSTestError("cannot write sns-ca.cnf: \(error)")
        }
        let leaves: [(name: String, cn: String, section: String, dates: [String])] = [
            ("sns", "sns.amazonaws.com", "sns_global", ["-days", "365"]),
            ("sns-other", "sns.amazonaws.com", "sns_global", ["-days", "365"]),
            ("sns-expired", "sns.amazonaws.com", "sns_global", ["-startdate", "20190101000000Z", "-enddate", "20200101000000Z"]),
            ("sns-wrongname", "sns.amazonaws.com.evil.example", "sns_wrong", ["-days", "365"]),
            ("sns-regional", "sns-signing.us-east-1.amazonaws.com", "sns_regional", ["-days", "365"]),
        ]
        for leaf in leaves {
            try openssl(["genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", "\(leaf.name).key"], in: directory)
            try openssl(["req", "-new", "-key", "\(leaf.name).key", "-subj", "/CN=\(leaf.cn)", "-out", "\(leaf.name).csr"], in: directory)
            try openssl(
                ["ca", "-batch", "-notext", "-config", "sns-ca.cnf", "-cert", "ca.pem", "-keyfile", "ca.key",
                 "-extensions", leaf.section] + leaf.dates + ["-in", "\(leaf.name).csr", "-out", "\(leaf.name).pem"],
                in: directory)
        }
        return SNSTestPKI(directory: directory)
    }

    /// RSA PKCS#1 v1.5 signature of `data` with `<key>.key` (`sha1` or `sha256`), via `openssl dgst`.
    public func sign(_ data: [UInt8], key: String, digest: String) throws -> [UInt8] {
        let id = UUID().uuidString
        let input = path("tbs-\(id).bin"), output = path("sig-\(id).bin")
        defer {
            try? FileManager.default.removeItem(atPath: input)
            try? FileManager.default.removeItem(atPath: output)
        }
        try Data(data).write(to: URL(fileURLWithPath: input))
        try Self.openssl(["dgst", "-\(digest)", "-sign", "\(key).key", "-out", output, input], in: directory)
        return Array(try Data(contentsOf: URL(fileURLWithPath: output)))
    }

    private static func openssl(_ arguments: [String], in directory: String) throws(SNSTestError) {
        try run("/usr/bin/env", ["openssl"] + arguments, in: directory)
    }

    private static func run(_ executable: String, _ arguments: [String], in directory: String?) throws(SNSTestError) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        do {
            try process.run()
            process.waitUntilExit()
        } catch {
            throw SNSTestError("cannot run \(executable) \(arguments.first ?? ""): \(error)")
        }
        guard process.terminationStatus == 0 else {
            throw SNSTestError("\(executable) \(arguments.prefix(2).joined(separator: " ")) exited with \(process.terminationStatus)")
        }
    }
}

/// A test-setup failure.
public struct SNSTestError: Error, Sendable, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// Locates repository folders from this file's path (tests run from any working directory).
public enum SNSTestPaths {
    /// The `Tests` folder.
    public static let tests: URL = {
        var url = URL(fileURLWithPath: #filePath)
        while url.lastPathComponent != "Tests" && url.path != "/" { url.deleteLastPathComponent() }
        return url
    }()

    public static let fixtures = tests.appendingPathComponent("Fixtures")
    public static let repositoryRoot = tests.deletingLastPathComponent()
}
