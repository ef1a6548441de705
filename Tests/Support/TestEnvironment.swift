import Foundation

/// Environments for code under test that must reach nothing beyond 127.0.0.1: not the host's AWS
/// credentials (`~/.aws`, its `AWS_*` variables) and not the instance metadata service (169.254.169.254).
public enum TestEnvironment {
    /// One empty directory serves as HOME for every isolated environment of the process (nothing writes
    /// there); removed at exit.
    private static let emptyHome = Result { try TestDirectory(prefix: "sluice-empty-home") }

    /// HOME an empty directory and IMDS disabled; `extra` wins (a test of IMDS turns it back on).
    public static func isolated(_ extra: [String: String] = [:]) throws -> [String: String] {
        var environment = ["HOME": try emptyHome.get().path, "AWS_EC2_METADATA_DISABLED": "true"]
        environment.merge(extra) { $1 }
        return environment
    }

    /// The environment of a `sluice` child process: `environment` without the host's own HOME and `AWS_*`
    /// values (tests often pass this process's environment along), then `isolated()` and
    /// `SLUICE_SES_TRANSPORT=outbox` for whatever the test did not set itself.
    public static func sluiceChild(_ environment: [String: String]) throws -> [String: String] {
        let host = ProcessInfo.processInfo.environment
        var child = environment.filter { key, value in
            !((key == "HOME" || key.hasPrefix("AWS_")) && host[key] == value)
        }
        child.merge(try isolated(["SLUICE_SES_TRANSPORT": "outbox"])) { mine, _ in mine }
        return child
    }
}
