import SluiceTestSupport
import Foundation
import Testing
import SluiceAWS
import SluiceCore
import SluiceHTTP
@testable import SluiceApp

/// One-click unsubscribe end to end over real sockets: headers stamped at accept time, the
/// `/u/{token}` page and POST, suppression, and the headers reaching SES (stand-in and moto).
struct UnsubscribeTests {
    static let key = "k1:" + Data(repeating: 0x5A, count: 32).base64EncodedString()
    static let settings: [String: TOMLValue] = [
        "ses.transport": .string("outbox"),
        "unsubscribe.base_url": .string("https://mail.example.com/"),
        "unsubscribe.keys": .array([.string(key)]),
        "unsubscribe.mailto": .string("unsubscribe@example.com"),
        "unsubscribe.configuration_sets": .array([.string("marketing")]),
    ]

    static func client() throws -> HTTPClient {
        try HTTPClient(configuration: HTTPClientConfiguration(connectTimeout: .seconds(2), readTimeout: .seconds(10), totalTimeout: .seconds(15), maxIdleConnectionsPerHost: 0))
    }

    static func body(_ object: [String: Any]) -> String {
        String(decoding: try! JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]), as: UTF8.self)
    }

    /// The `Headers` of the recorded (outbox) SendEmail request, by name.
    static func outboxHeaders(_ reply: SendTestApp.Reply) -> [String: String] {
        let request = (reply.json["outbox"] as? [String: Any])?["request"] as? [String: Any]
        let simple = ((request?["Content"] as? [String: Any])?["Simple"] as? [String: Any])
        let list = simple?["Headers"] as? [[String: String]] ?? []
        return Dictionary(list.map { ($0["Name"] ?? "", $0["Value"] ?? "") }, uniquingKeysWith: { a, _ in a })
    }

    static func token(in header: String) throws -> String {
        let start = try #require(header.range(of: "https://mail.example.com/u/"))
        return String(header[start.upperBound...].prefix { $0 != ">" })
    }

    private func unsubscribe(_ app: SendTestApp, _ token: String, body: String = "List-Unsubscribe=One-Click", contentType: String = "application/x-www-form-urlencoded") async throws -> HTTPClientResponse {
        var headers = HTTPHeaders()
        headers.set("Content-Type", contentType)
        return try await Self.client().execute(HTTPClientRequest(method: "POST", url: app.baseURL + "/u/" + token, headers: headers, body: Array(body.utf8)))
    }

    @Test func bulkMessageGetsHeadersAndOneClickPostSuppresses() async throws {
        let app = try await SendTestApp.start(settings: Self.settings)
        try await withFixture(app) { app in
            let accepted = try await app.post(Self.body(["from": "news@example.com", "to": ["Reader@Example.net"], "subject": "News", "text": "Hi", "bulk": true]))
            #expect(accepted.status == 202)
            let sent = try await app.waitForState(try #require(accepted.id), ["sent", "failed"])
            let headers = Self.outboxHeaders(sent)
            let listUnsubscribe = try #require(headers["List-Unsubscribe"])
            #expect(headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click")
            #expect(listUnsubscribe.hasPrefix("<https://mail.example.com/u/"))
            #expect(listUnsubscribe.contains(">, <mailto:unsubscribe@example.com?subject=unsubscribe%20"))
            #expect(!listUnsubscribe.lowercased().contains("reader"))
            let token = try Self.token(in: listUnsubscribe)

            // GET shows a page with a POST button and changes nothing (link scanners).
            let page = try await Self.client().execute(HTTPClientRequest(url: app.baseURL + "/u/" + token))
            #expect(page.status == 200)
            #expect(page.headers["content-type"]?.hasPrefix("text/html") == true)
            #expect(page.headers["referrer-policy"] == "no-referrer")
            let html = String(decoding: page.body, as: UTF8.self)
            #expect(html.contains(#"<form method="post">"#))
            #expect(html.contains(#"name="List-Unsubscribe" value="One-Click""#))
            #expect(html.lowercased().contains("r***@example.net"))
            #expect(try await app.context.store.suppression(for: "reader@example.net", scope: nil, at: Date()) == nil)

            // POST suppresses at once, 200 without redirect.
            let first = try await unsubscribe(app, token)
            #expect(first.status == 200)
            #expect(first.headers["location"] == nil)
            let stored = try #require(try await app.context.store.suppression(for: "reader@example.net", scope: nil, at: Date()))
            #expect(stored.reason == .unsubscribed)
            #expect(stored.source == "unsubscribe:k1")
            // Repeats are idempotent.
            #expect(try await unsubscribe(app, token).status == 200)
            #expect(try await app.context.store.suppressions(of: "reader@example.net").count == 1)
            // The token is a credential: access lines name the route, never the link.
            let access = app.logs.texts.filter { $0.hasPrefix("info request ") && $0.contains("route=/u/{token}") }
            #expect(access.count == 3)
            #expect(access.allSatisfy { $0.contains("path=/u/{token}") })
            #expect(!app.logs.contains(token))
            // The next bulk mail to them is refused by the gate.
            let again = try await app.post(Self.body(["from": "news@example.com", "to": ["reader@example.net"], "subject": "News", "text": "Hi", "bulk": true]))
            #expect(again.status == 422)
        }
    }

    @Test func invalidTokensAndBodiesAre400() async throws {
        let app = try await SendTestApp.start(settings: Self.settings)
        try await withFixture(app) { app in
            let accepted = try await app.post(Self.body(["from": "news@example.com", "to": ["x@example.net"], "subject": "S", "text": "T", "bulk": true]))
            let sent = try await app.waitForState(try #require(accepted.id), ["sent", "failed"])
            let token = try Self.token(in: try #require(Self.outboxHeaders(sent)["List-Unsubscribe"]))
            var tampered = Array(token)
            tampered[tampered.count / 2] = tampered[tampered.count / 2] == "A" ? "B" : "A"
            #expect(try await unsubscribe(app, String(tampered)).status == 400)
            #expect(try await Self.client().execute(HTTPClientRequest(url: app.baseURL + "/u/" + String(tampered))).status == 400)
            #expect(try await unsubscribe(app, "garbage").status == 400)
            // Each refusal is logged (without the token) and counted by reason.
            #expect(app.logs.all.filter { $0.message == "unsubscribe link refused" }.count == 3)
            #expect(!app.logs.contains(String(tampered)))
            let exposition = app.context.metrics.registry.render()
            #expect(exposition.contains(#"sluice_unsubscribe_refusals_total{reason="bad_signature"} 2"#))
            #expect(exposition.contains(#"sluice_unsubscribe_refusals_total{reason="malformed"} 1"#))
            #expect(try await unsubscribe(app, token, body: "").status == 400)
            #expect(try await unsubscribe(app, token, body: "List-Unsubscribe=Maybe").status == 400)
            #expect(try await unsubscribe(app, token, body: String(repeating: "x", count: 10_000)).status == 413)
            #expect(try await app.context.store.suppression(for: "x@example.net", scope: nil, at: Date()) == nil)
            // RFC 8058 also allows multipart/form-data.
            let multipart = "--b\r\nContent-Disposition: form-data; name=\"List-Unsubscribe\"\r\n\r\nOne-Click\r\n--b--\r\n"
            #expect(try await unsubscribe(app, token, body: multipart, contentType: "multipart/form-data; boundary=b").status == 200)
            #expect(try await app.context.store.suppression(for: "x@example.net", scope: nil, at: Date())?.reason == .unsubscribed)
        }
    }

    @Test func listUnsubscribeSuppressesOnlyThatList() async throws {
        let app = try await SendTestApp.start(settings: Self.settings)
        try await withFixture(app) { app in
            let accepted = try await app.post(Self.body(["from": "news@example.com", "to": ["l@example.net"], "subject": "S", "text": "T", "list": "weekly"]))
            #expect(accepted.status == 202)
            let sent = try await app.waitForState(try #require(accepted.id), ["sent", "failed"])
            let token = try Self.token(in: try #require(Self.outboxHeaders(sent)["List-Unsubscribe"]))
            #expect(try await unsubscribe(app, token).status == 200)
            #expect(try await app.context.store.suppressions(of: "l@example.net").map(\.scope) == ["weekly"])
            // The list's mail is refused, other mail still goes.
            #expect(try await app.post(Self.body(["from": "news@example.com", "to": ["l@example.net"], "subject": "S", "text": "T", "list": "weekly"])).status == 422)
            #expect(try await app.post(SendTestApp.message(to: ["l@example.net"])).status == 202)
        }
    }

    @Test func bulkRulesAndCallerHeaders() async throws {
        let app = try await SendTestApp.start(settings: Self.settings)
        try await withFixture(app) { app in
            // One recipient only.
            let many = try await app.post(Self.body(["from": "n@example.com", "to": ["a@example.net", "b@example.net"], "subject": "S", "text": "T", "bulk": true]))
            #expect(many.status == 400)
            #expect(many.errorCode == "invalid_unsubscribe")
            // A configured configuration set makes a message bulk.
            let viaSet = try await app.post(Self.body(["from": "n@example.com", "to": ["c@example.net"], "subject": "S", "text": "T", "configuration_set": "marketing"]))
            #expect(viaSet.status == 202)
            let sentViaSet = try await app.waitForState(try #require(viaSet.id), ["sent", "failed"])
            #expect(Self.outboxHeaders(sentViaSet)["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click")
            // Both headers supplied by the caller: kept as given.
            let own = try await app.post(Self.body([
                "from": "n@example.com", "to": ["d@example.net", "e@example.net"], "subject": "S", "text": "T", "bulk": true,
                "headers": ["List-Unsubscribe": "<https://lists.example.com/x>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"],
            ]))
            #expect(own.status == 202)
            let sentOwn = try await app.waitForState(try #require(own.id), ["sent", "failed"])
            #expect(Self.outboxHeaders(sentOwn)["List-Unsubscribe"] == "<https://lists.example.com/x>")
            // Non-bulk mail gets nothing.
            let plain = try await app.post(SendTestApp.message(to: ["f@example.net"]))
            let sentPlain = try await app.waitForState(try #require(plain.id), ["sent", "failed"])
            #expect(Self.outboxHeaders(sentPlain).isEmpty)
        }
    }

    @Test func bulkWithoutConfigurationIsRefused() async throws {
        let app = try await SendTestApp.start(settings: ["ses.transport": .string("outbox")])
        try await withFixture(app) { app in
            let reply = try await app.post(Self.body(["from": "n@example.com", "to": ["a@example.net"], "subject": "S", "text": "T", "bulk": true]))
            #expect(reply.status == 400)
            #expect(reply.errorCode == "invalid_unsubscribe")
            #expect(try await unsubscribe(app, "anything").status == 400)
        }
    }

    @Test func headersArriveInTheSESSendEmailCall() async throws {
        let standIn = try SESStandIn()
        var settings = Self.settings
        settings["ses.transport"] = .string("ses")
        settings["ses.endpoint"] = .string(standIn.endpoint)
        settings["ses.max_send_rate"] = .float(100)
        let app = try await SendTestApp.start(settings: settings, environment: SendTestApp.staticKeys)
        try await withFixture(app) { app in
            let accepted = try await app.post(Self.body(["from": "news@example.com", "to": ["s@example.net"], "subject": "S", "text": "T", "bulk": true]))
            #expect(try await app.waitForState(try #require(accepted.id), ["sent", "failed"]).state == "sent")
            let request = try #require(standIn.sendRequests.first)
            let json = try #require(try JSONSerialization.jsonObject(with: Data(request.body)) as? [String: Any])
            let simple = try #require((json["Content"] as? [String: Any])?["Simple"] as? [String: Any])
            let headers = try #require(simple["Headers"] as? [[String: String]])
            #expect(headers.contains { $0["Name"] == "List-Unsubscribe-Post" && $0["Value"] == "List-Unsubscribe=One-Click" })
            #expect(headers.contains { $0["Name"] == "List-Unsubscribe" && $0["Value"]?.hasPrefix("<https://mail.example.com/u/") == true })
        }
    }

    @Test func rawBulkMessageArrivesInMotoWithTheHeaders() async throws {
        let moto = try await MotoServer.shared()
        let ses = SESClient(
            configuration: SESClientConfiguration(
                region: "us-east-1", endpoint: URL(string: moto.baseURL),
                credentials: StaticCredentialProvider(AWSCredentials(accessKeyId: "AKIDSENDTEST", secretAccessKey: "send-test-secret")),
                httpClient: try HTTPClient(configuration: HTTPClientConfiguration(maxIdleConnectionsPerHost: 0))),
            logger: .init(label: "unsubscribe.moto"))
        let form = "Action=VerifyEmailIdentity&Version=2010-12-01&EmailAddress=" + SigV4Encoding.uriEncode("bulk-sender@example.com")
        _ = try await ses.perform(operation: "VerifyEmailIdentity", method: "POST", path: "/", body: Array(form.utf8), contentType: "application/x-www-form-urlencoded; charset=utf-8")
        var settings = Self.settings
        settings["ses.transport"] = .string("ses")
        settings["ses.endpoint"] = .string(moto.baseURL)
        settings["ses.max_send_rate"] = .float(100)
        let app = try await SendTestApp.start(settings: settings, environment: SendTestApp.staticKeys)
        try await withFixture(app) { app in
            let mime = "From: bulk-sender@example.com\r\nTo: raw-reader@example.net\r\nSubject: Raw bulk\r\nList-Unsubscribe: <mailto:old@example.com>\r\n\r\nHello\r\n"
            let accepted = try await app.post(Self.body(["from": "bulk-sender@example.com", "to": ["raw-reader@example.net"], "raw": Data(mime.utf8).base64EncodedString(), "bulk": true]))
            #expect(accepted.status == 202)
            let sent = try await app.waitForState(try #require(accepted.id), ["sent", "failed"])
            #expect(sent.state == "sent")
            let sesId = try #require(sent.json["ses_message_id"] as? String)
            let data = try await moto.modelData()
            let raws = ((data["ses"] as? [String: Any])?["RawMessage"] as? [[String: Any]]) ?? []
            let recorded = try #require(raws.first { $0["id"] as? String == sesId })
            let rawText = try #require(recorded["raw_data"] as? String)
            #expect(rawText.contains("List-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n"))
            #expect(rawText.contains("List-Unsubscribe: <https://mail.example.com/u/"))
            // The caller's lone header was replaced, not duplicated.
            #expect(!rawText.contains("old@example.com"))
            #expect(rawText.contains("Subject: Raw bulk\r\n\r\nHello"))
        }
    }
}
