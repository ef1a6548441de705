import Foundation
import Testing
import SluiceCore
@testable import SluiceApp

struct SendingRoutesTests {
    @Test func operatorPausesWithAReasonAndResumes() async throws {
        let dir = try MonitorTempDirectory()
        defer { dir.remove() }
        let clock = TestClock(MonitorFixture.start)
        let app = try MonitorFixture.app(try MonitorFixture.configuration(databasePath: dir.databasePath), clock: clock)
        try app.start()
        let api = try TestAPI(port: app.port)

        let paused = try await api.json("POST", "/v1/sending/pause", body: #"{"reason":"list cleanup"}"#)
        #expect(paused["paused"] as? Bool == true)
        #expect(paused["reason"] as? String == "list cleanup")
        #expect(paused["source"] as? String == "operator")
        #expect(paused["since"] as? String == "2026-03-02T10:30:00Z")
        let state = try await app.context.sending.state()
        #expect(state.paused && state.source == .operator && state.reason == "list cleanup")

        // Without a body: a default reason.
        _ = try await api.json("POST", "/v1/sending/resume")
        let bare = try await api.json("POST", "/v1/sending/pause")
        #expect(bare["reason"] as? String == "paused by operator")

        let resumed = try await api.json("POST", "/v1/sending/resume")
        #expect(resumed["paused"] as? Bool == false)
        #expect(resumed["reason"] is NSNull)
        #expect(try await app.context.sending.state() == .running)
        await app.shutdown()
    }

    @Test(arguments: [#"{"reason":"#, "[1,2]", #"{"reason": 5}"#])
    func malformedPauseBodiesAre400(body: String) async throws {
        let dir = try MonitorTempDirectory()
        defer { dir.remove() }
        let app = try MonitorFixture.app(try MonitorFixture.configuration(databasePath: dir.databasePath), clock: TestClock(MonitorFixture.start))
        try app.start()
        let response = try await TestAPI(port: app.port).request("POST", "/v1/sending/pause", body: body)
        #expect(response.status == 400)
        #expect(response.bodyText.contains("invalid_body"))
        #expect(try await app.context.sending.state().paused == false)
        await app.shutdown()
    }

    @Test func parseReasonBoundsTheLength() {
        let long = String(repeating: "x", count: SendingRoutes.maxReasonLength + 1)
        if case .success = SendingRoutes.parseReason(Array(#"{"reason":"\#(long)"}"#.utf8)) {
            Issue.record("a reason over the limit was accepted")
        }
        let exact = String(repeating: "y", count: SendingRoutes.maxReasonLength)
        #expect((try? SendingRoutes.parseReason(Array(#"{"reason":"\#(exact)"}"#.utf8)).get()) == exact)
        #expect((try? SendingRoutes.parseReason(Array("  \n".utf8)).get()) == "paused by operator")
        #expect((try? SendingRoutes.parseReason(Array(#"{"reason":"  "}"#.utf8)).get()) == "paused by operator")
        // Counted as the API document counts (code points, before trimming): 300 characters of an "e" and a
        // combining accent are 600 code points; 500 spaces around one letter are 501.
        let combining = String(repeating: "e\u{301}", count: 300)
        if case .success = SendingRoutes.parseReason(Array(#"{"reason":"\#(combining)"}"#.utf8)) {
            Issue.record("a reason of 600 code points was accepted")
        }
        let padded = String(repeating: " ", count: 250) + "z" + String(repeating: " ", count: 250)
        if case .success = SendingRoutes.parseReason(Array(#"{"reason":"\#(padded)"}"#.utf8)) {
            Issue.record("a reason of 501 code points was accepted because it trims to one")
        }
    }
}
