import Foundation
import Glibc
import SluiceTestSupport
import Testing

/// The test scaffolding's child processes (Tests/Support/ChildProcess.swift, TestEnvironment.swift): a
/// hung child fails its test instead of hanging the run, and children reach nothing of the host's AWS.
struct ChildProcessTests {
    @Test func aChildPastItsDeadlineIsKilledAndThrows() async throws {
        // The background `sleep` keeps the pipes open even after the shell is killed: only the deadline
        // ends the read (it exits by itself 20 s later).
        let started = ContinuousClock.now
        let error = await #expect(throws: TestSupportError.self) {
            _ = try await runChildProcess(
                URL(fileURLWithPath: "/bin/sh"), ["-c", "echo begun >&2; sleep 20 & exec sleep 20"], timeout: .milliseconds(500))
        }
        #expect(error?.description.contains("did not finish") == true)
        #expect(error?.description.contains("begun") == true, "the output so far is in the error")
        // An ordering check, not a speed one: it returned before the sleeps ended (which EOF would wait for).
        #expect(ContinuousClock.now - started < .seconds(19))
    }

    @Test func aTiedChildIsTheExecutableItself() async throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sleep")
        process.arguments = ["600"]
        try launchTiedToTestProcess(process)
        defer { kill(process.processIdentifier, SIGKILL) }
        // setpriv exec'd the command in place: its pid (what tests signal) is the command's.
        let named = await eventually {
            (try? String(contentsOfFile: "/proc/\(process.processIdentifier)/comm", encoding: .utf8)) == "sleep\n"
        }
        #expect(named)
        #expect(process.arguments?.prefix(3) == ["--pdeathsig", "KILL", "--"])
    }

    @Test func aSluiceChildGetsNoneOfTheHostsAWSSettings() throws {
        // This process's own environment passed along, as several tests do.
        let host = ProcessInfo.processInfo.environment
        let child = try TestEnvironment.sluiceChild(host.merging(["SLUICE_HTTP_PORT": "0"]) { $1 })
        #expect(child["SLUICE_SES_TRANSPORT"] == "outbox")
        #expect(child["AWS_EC2_METADATA_DISABLED"] == "true")
        #expect(child["HOME"] != host["HOME"])
        let home = try #require(child["HOME"])
        #expect(try FileManager.default.contentsOfDirectory(atPath: home).isEmpty)
        for (key, value) in host where key.hasPrefix("AWS_") && key != "AWS_EC2_METADATA_DISABLED" {
            #expect(child[key] != value, "\(key) of the host reached the child")
        }
        #expect(child["SLUICE_HTTP_PORT"] == "0")
        // What the test sets itself wins.
        let chosen = try TestEnvironment.sluiceChild(["SLUICE_SES_TRANSPORT": "ses", "AWS_ACCESS_KEY_ID": "AKIDTEST", "HOME": "/tmp/x"])
        #expect(chosen["SLUICE_SES_TRANSPORT"] == "ses")
        #expect(chosen["AWS_ACCESS_KEY_ID"] == "AKIDTEST")
        #expect(chosen["HOME"] == "/tmp/x")
    }
}
