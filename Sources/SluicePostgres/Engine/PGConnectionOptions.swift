import CPostgres
import Foundation
import SluiceCore

/// What the store needs to know about a connection URL before connecting: where it points, whether it
/// chose its own TLS mode, and its password (to keep it out of error messages). Parsed by libpq itself.
struct PGConnectionOptions: Sendable {
    /// Each option the URL sets, by libpq keyword (`host`, `sslmode`, …); percent-decoded.
    let values: [String: String]
    /// The password as the URL spells it (percent-encoded), when Foundation can split the URL.
    private let encodedPassword: String?

    /// Parses `url` (a `postgres://` URI or a key=value string) with `PQconninfoParse`.
    /// - Throws: `.invalidInput` with a fixed message: libpq's own quotes the URI, password included.
    init(_ url: String) throws(StoreError) {
        var error: UnsafeMutablePointer<CChar>?
        guard let options = PQconninfoParse(url, &error) else {
            if let error { PQfreemem(error) }
            throw StoreError(
                .invalidInput,
                "database.url is not a valid PostgreSQL URI: check the percent-encoding of the user name and password, and the option names")
        }
        defer { PQconninfoFree(options) }
        var values: [String: String] = [:]
        var option = options
        while let keyword = option.pointee.keyword {
            if let value = option.pointee.val { values[String(cString: keyword)] = String(cString: value) }
            option += 1
        }
        self.values = values
        encodedPassword = URLComponents(string: url)?.percentEncodedPassword
    }

    /// The `sslmode` to add when nothing chose one: `require` (encrypted, server not verified) for a server
    /// reached over the network; nil when the URL, `PGSSLMODE`, a root certificate or a service file decides, or the server is
    /// local (loopback or a Unix socket), where libpq's `prefer` stays.
    func defaultSSLMode(environment: [String: String]) -> String? {
        // A service file may set sslmode itself; a keyword passed here would override (weaken) it. A root
        // certificate makes libpq verify on its own terms (libpq 16 and later default to verify-full with
        // `sslrootcert=system` and refuse a weaker mode given beside it).
        for keyword in ["sslmode", "requiressl", "service", "sslrootcert"] where !(values[keyword] ?? "").isEmpty { return nil }
        for variable in ["PGSSLMODE", "PGREQUIRESSL", "PGSERVICE", "PGSSLROOTCERT"] where !(environment[variable] ?? "").isEmpty {
            return nil
        }
        return isLocal(environment: environment) ? nil : "require"
    }

    /// Whether every server the URL names is reached through a Unix socket or a loopback address.
    func isLocal(environment: [String: String]) -> Bool {
        // libpq connects to `hostaddr` when given (`host` then only names the server), else to `host`;
        // neither: `PGHOSTADDR`/`PGHOST`, else the default Unix socket.
        let given = [values["hostaddr"], values["host"], environment["PGHOSTADDR"], environment["PGHOST"]]
        let targets = given.compactMap { $0 }.first { !$0.isEmpty } ?? ""
        return targets.split(separator: ",", omittingEmptySubsequences: false).allSatisfy { Self.isLocalHost(String($0)) }
    }

    /// A Unix socket directory (`/…`, or `@…` for Linux's abstract namespace), `localhost`, or a loopback IP.
    static func isLocalHost(_ host: String) -> Bool {
        let host = host.trimmingCharacters(in: .whitespaces)
        if host.isEmpty || host.hasPrefix("/") || host.hasPrefix("@") { return true }
        if host.lowercased() == "localhost" { return true }
        var v4 = in_addr()
        if inet_pton(AF_INET, host, &v4) == 1 { return UInt32(bigEndian: v4.s_addr) >> 24 == 127 }
        var v6 = in6_addr()
        guard inet_pton(AF_INET6, host, &v6) == 1 else { return false }
        let bytes = withUnsafeBytes(of: v6) { Array($0) }
        if bytes[0..<15].allSatisfy({ $0 == 0 }) && bytes[15] == 1 { return true }  // ::1
        // ::ffff:127.x.x.x
        return bytes[0..<10].allSatisfy { $0 == 0 } && bytes[10] == 0xFF && bytes[11] == 0xFF && bytes[12] == 127
    }

    /// `message` with every occurrence of the URL's password (decoded, and as the URL spells it) masked.
    func redacting(_ message: String) -> String {
        var redacted = message
        for secret in [values["password"], encodedPassword] {
            if let secret, !secret.isEmpty { redacted = redacted.replacingOccurrences(of: secret, with: "***") }
        }
        return redacted
    }
}
