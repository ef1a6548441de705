import Foundation
import Logging
import SluiceDNS

/// Loads the Public Suffix List for DMARC organisational domains (`dns.public_suffix_list`; Debian's
/// `publicsuffix` package installs it at the default path). The checks are advice, so a list that cannot be
/// read is logged and the built-in approximation used, rather than refusing to start.
enum PublicSuffixListFile {
    /// Debian's `publicsuffix` package.
    static let defaultPath = "/usr/share/publicsuffix/public_suffix_list.dat"

    /// Why the list could not be used.
    struct Failure: Error, Sendable, CustomStringConvertible {
        let path: String
        let reason: String
        var description: String { "\(path): \(reason)" }
    }

    /// The organisational-domain rule for `path` ("" = the approximation, by choice).
    static func organisationalDomain(path: String, logger: Logger) -> OrganizationalDomain {
        guard !path.isEmpty else { return .approximate }
        do {
            let list = try read(path: path)
            logger.debug("public suffix list loaded", metadata: ["dns.public_suffix_list": "\(path)", "dns.rules": "\(list.count)"])
            return OrganizationalDomain(publicSuffixes: list)
        } catch {
            logger.warning("public suffix list not usable: DMARC organisational domains use a built-in approximation", metadata: [
                "dns.public_suffix_list": "\(path)", "error": "\(error.reason)",
            ])
            return .approximate
        }
    }

    /// Reads and parses the list at `path`: at most `PublicSuffixList.maxBytes`, UTF-8, with rules.
    static func read(path: String) throws(Failure) -> PublicSuffixList {
        guard let handle = FileHandle(forReadingAtPath: path) else { throw Failure(path: path, reason: "cannot be opened") }
        defer { try? handle.close() }
        let data: Data
        do {
            data = try handle.read(upToCount: PublicSuffixList.maxBytes + 1) ?? Data()
        } catch {
            throw Failure(path: path, reason: "cannot be read: \(error)")
        }
        guard data.count <= PublicSuffixList.maxBytes else {
            throw Failure(path: path, reason: "larger than \(PublicSuffixList.maxBytes) bytes")
        }
        guard let text = String(data: data, encoding: .utf8) else { throw Failure(path: path, reason: "not UTF-8") }
        let list = PublicSuffixList(text: text)
        guard list.count > 0 else { throw Failure(path: path, reason: "holds no rules") }
        return list
    }
}
