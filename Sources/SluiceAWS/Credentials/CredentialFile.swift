import Foundation

/// Bounded reads of credential-related files (token files, shared config).
enum CredentialFile {
    /// Token and INI files are tiny; anything bigger is a mistake, not a credential.
    static let maxBytes = 1 << 20

    /// The file's text, nil when it does not exist.
    static func readIfPresent(_ path: String) throws(CredentialProviderError) -> String? {
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        return try read(path)
    }

    /// The file's text.
    static func read(_ path: String) throws(CredentialProviderError) -> String {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw CredentialProviderError(.fileUnreadable, "cannot open \(path)")
        }
        defer { try? handle.close() }
        let data: Data?
        do {
            data = try handle.read(upToCount: maxBytes + 1)
        } catch {
            throw CredentialProviderError(.fileUnreadable, "cannot read \(path)")
        }
        let bytes = data ?? Data()
        guard bytes.count <= maxBytes else { throw CredentialProviderError(.fileUnreadable, "\(path) is too large") }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// A single-line token (trailing whitespace trimmed); CR/LF inside would allow header injection.
    static func readToken(_ path: String, name: String) throws(CredentialProviderError) -> String {
        let token = try read(path).trimmingCharacters(in: .whitespacesAndNewlines)
        guard !token.isEmpty else { throw CredentialProviderError(.misconfigured, "\(name) file \(path) is empty") }
        guard !token.contains("\r"), !token.contains("\n") else {
            throw CredentialProviderError(.misconfigured, "\(name) file \(path) contains a line break")
        }
        return token
    }
}
