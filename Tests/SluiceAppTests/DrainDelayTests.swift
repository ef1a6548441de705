import Foundation
import SluiceHTTP
import SluiceTestSupport
import Testing

/// `http.drain_delay_seconds`: on shutdown `/readyz` answers 503 while the listeners still accept new
/// connections, so a load balancer's health checks see the instance leave before its port closes.
struct DrainDelayTests {
    @Test func readinessFailsWhileTheListenersStillAcceptDuringTheDelay() async throws {
        let harness = try await SNSAppHarness.make(extra: ["SLUICE_HTTP_DRAIN_DELAY_SECONDS": "5"])
        let port = harness.port
        #expect(await offPool({ RawHTTP.request(port: port, "GET", "/readyz") })?.status == 200)

        let stopping = Task { await harness.stop() }
        let refusedReadiness = await eventuallyValue(timeout: .seconds(4)) { () -> RawHTTP.Response? in
            // A new connection each time: the listener must still accept while readiness says "go elsewhere".
            guard let answer = await offPool({ RawHTTP.request(port: port, "GET", "/readyz") }), answer.status == 503 else { return nil }
            return answer
        }
        #expect(refusedReadiness != nil, "no 503 from /readyz on a new connection during the drain delay")
        #expect(refusedReadiness?.body.contains("draining") == true, "\(refusedReadiness?.body ?? "")")
        // The delay does not stop other routes: a liveness probe on a new connection is still answered.
        #expect(await offPool({ RawHTTP.request(port: port, "GET", "/healthz") })?.status == 200)

        await stopping.value
        if case .success(let fd) = RawHTTP.connect(port: port) {
            close(fd)
            Issue.record("the listener still accepts after shutdown finished")
        }
    }
}
