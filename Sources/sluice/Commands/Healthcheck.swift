import ArgumentParser
import Foundation
import SluiceHTTP

struct Healthcheck: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "GET a probe of a running Sluice (for container HEALTHCHECKs); exit 0 on 200, else 1."
    )
    @OptionGroup var global: GlobalOptions
    @Option(help: "Probe path.") var path = "/healthz"

    func run() async throws {
        try await exiting {
            let configuration = try global.loadConfiguration()
            var host = configuration.string("http.host")
            if host == "0.0.0.0" || host.isEmpty { host = "127.0.0.1" }
            if host == "::" { host = "::1" }
            if host.contains(":") { host = "[\(host)]" }
            let client = try HTTPClient(configuration: HTTPClientConfiguration(connectTimeout: .seconds(2), totalTimeout: .seconds(3)))
            let response = try await client.execute(HTTPClientRequest(url: "http://\(host):\(configuration.int("http.port"))\(path)"))
            print("\(response.status) \(response.bodyText)")
            if response.status != 200 { throw ExitCode(1) }
        }
    }
}
