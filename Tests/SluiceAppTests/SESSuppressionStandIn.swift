import SluiceTestSupport
import Foundation
import Synchronization

/// A recording stand-in of the SES v2 account-level suppression list API (moto lacks it):
/// PUT/DELETE/GET `/v2/email/suppression/addresses`, paging `min(PageSize, pageLimit)` entries with an
/// index `NextToken`, `StartDate` filtering, and scripted failures (e.g. 429) served first.
final class SESSuppressionStandIn: Sendable {
    struct Entry: Sendable, Equatable {
        var reason: String
        var updated: Date
    }

    final class State: Sendable {
        let entries = Mutex<[String: Entry]>([:])
        let failures = Mutex<[TestHTTPServer.Response]>([])
        /// Answered once to the listing request that carries this `NextToken`.
        let tokenFailures = Mutex<[String: TestHTTPServer.Response]>([:])
    }

    let server: TestHTTPServer
    let state = State()

    init(pageLimit: Int = 2) throws {
        let state = self.state
        server = try TestHTTPServer { request in
            if request.path == "/v2/email/account" {
                return .json(#"{"SendQuota":{"Max24HourSend":1000,"MaxSendRate":10,"SentLast24Hours":0},"SendingEnabled":true}"#)
            }
            guard request.path.hasPrefix("/v2/email/suppression/addresses") else { return .json("{}", status: 404) }
            if let failure = state.failures.withLock({ $0.isEmpty ? nil : $0.removeFirst() }) { return failure }
            switch request.method {
            case "PUT":
                guard let json = (try? JSONSerialization.jsonObject(with: Data(request.body))) as? [String: String],
                    let email = json["EmailAddress"], let reason = json["Reason"], ["BOUNCE", "COMPLAINT"].contains(reason)
                else {
                    return .sesError("BadRequestException", status: 400, message: "bad request")
                }
                state.entries.withLock { $0[email.lowercased()] = Entry(reason: reason, updated: Date()) }
                return .json("{}")
            case "DELETE":
                let email = String(request.path.dropFirst("/v2/email/suppression/addresses/".count)).removingPercentEncoding?.lowercased() ?? ""
                let removed = state.entries.withLock { $0.removeValue(forKey: email) }
                return removed == nil
                    ? .sesError("NotFoundException", status: 404, message: "not found") : .json("{}")
            default:
                let query = Self.query(request.query)
                let start = query["StartDate"].flatMap { ISO8601DateFormatter().date(from: $0) }
                let all = state.entries.withLock { $0 }.filter { start == nil || $0.value.updated >= start! }.sorted { $0.key < $1.key }
                if let token = query["NextToken"], let failure = state.tokenFailures.withLock({ $0.removeValue(forKey: token) }) {
                    return failure
                }
                // A token this stand-in never gave out is refused, as SES refuses an expired one.
                guard let offset = Int(query["NextToken"] ?? "0") else {
                    return .sesError("BadRequestException", status: 400, message: "Invalid NextToken")
                }
                let size = min(Int(query["PageSize"] ?? "100") ?? 100, pageLimit)
                let page = all.dropFirst(offset).prefix(size)
                let items = page.map { #"{"EmailAddress":"\#($0.key)","Reason":"\#($0.value.reason)","LastUpdateTime":\#($0.value.updated.timeIntervalSince1970)}"# }
                let next = offset + page.count < all.count ? #","NextToken":"\#(offset + page.count)""# : ""
                return .json(#"{"SuppressedDestinationSummaries":[\#(items.joined(separator: ","))]\#(next)}"#)
            }
        }
    }

    var endpoint: String { server.baseURL }
    var entries: [String: Entry] { state.entries.withLock { $0 } }
    func set(_ email: String, reason: String, updated: Date) { state.entries.withLock { $0[email] = Entry(reason: reason, updated: updated) } }
    func failNext(_ responses: [TestHTTPServer.Response]) { state.failures.withLock { $0 += responses } }
    func fail(whenToken token: String, with response: TestHTTPServer.Response) { state.tokenFailures.withLock { $0[token] = response } }
    func requests(_ method: String) -> [TestHTTPServer.Request] {
        server.requests.filter { $0.method == method && $0.path.hasPrefix("/v2/email/suppression/addresses") }
    }

    static func query(_ text: String) -> [String: String] {
        var result: [String: String] = [:]
        for pair in text.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1).map { String($0).removingPercentEncoding ?? String($0) }
            if parts.count == 2 { result[parts[0]] = parts[1] }
        }
        return result
    }

    static let throttled = TestHTTPServer.Response.sesError("TooManyRequestsException", status: 429, message: "Too many requests")
}
