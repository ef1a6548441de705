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
            // Over HTTPS the probe asks whether the process answers, not whether its certificate is
            // good for this address (it is issued for the public name): sluice_tls_certificate_expiry_*
            // watches the certificate.
            let https = !configuration.string("http.tls_cert_file").isEmpty
            let client = try HTTPClient(configuration: HTTPClientConfiguration(
                verifiesPeer: !https, connectTimeout: .seconds(2), totalTimeout: .seconds(3)))
            let scheme = https ? "https" : "http"
            let response = try await client.execute(HTTPClientRequest(url: "\(scheme)://\(host):\(configuration.int("http.port"))\(path)"))
            print("\(response.status) \(response.bodyText)")
            if response.status != 200 { throw ExitCode(1) }
        }
    }
}
