import Foundation
import Logging
import SluiceAWS
import SluiceCore
import SluiceHTTP
import SluiceTestSupport
import Synchronization
import Testing
@testable import SluiceApp

/// A key rotation refuses every call in flight with the old keys at once: that is one refused set of keys,
/// not a streak that pauses sending.
struct SESTransportRefusalTests {
    @Test func callsInFlightRefusedTogetherCountOnce() async throws {
        let inFlight = 6
        let arrived = Atomic<Int>(0)
        let server = try TestHTTPServer { _ in
            // Hold each call until all of them are in flight, so all were signed with the same keys.
            let n = arrived.add(1, ordering: .relaxed).newValue
            if n <= inFlight {
                let deadline = Date().addingTimeInterval(10)
                while arrived.load(ordering: .relaxed) < inFlight, Date() < deadline { usleep(1000) }
                return .sesError("InvalidClientTokenId", status: 403, message: "The security token included in the request is invalid.")
            }
            return .json(#"{"MessageId":"after-rotation-\#(n)"}"#)
        }
        defer { server.stop() }
        let http = try HTTPClient(configuration: HTTPClientConfiguration(totalTimeout: .seconds(15), maxIdleConnectionsPerHost: inFlight))
        let client = SESClient(
            configuration: SESClientConfiguration(
                region: "us-east-1", endpoint: URL(string: server.baseURL),
                credentials: StaticCredentialProvider(AWSCredentials(accessKeyId: "AKIDROTATED", secretAccessKey: "old")), httpClient: http),
            logger: Logger(label: "test"))
        let transport = SESTransport(client: client)
        let request = SESSendEmailRequest(
            fromEmailAddress: "news@example.com", destination: .init(to: ["a@example.net"]),
            content: .simple(.init(subject: .init("s"), text: .init("t"))))
        let outcomes = await withTaskGroup(of: SendOutcome.self) { group in
            for _ in 0..<inFlight { group.addTask { await transport.send(request, at: Date()).outcome } }
            var all: [SendOutcome] = []
            for await outcome in group { all.append(outcome) }
            return all
        }
        #expect(outcomes.count == inFlight)
        #expect(outcomes.allSatisfy { if case .failed(.retryable, _) = $0 { true } else { false } }, "\(outcomes)")
        // The next call (new keys) is sent.
        #expect(await transport.send(request, at: Date()).outcome == .accepted(sesMessageId: "after-rotation-\(inFlight + 1)"))
    }
}
