import ArgumentParser
import Foundation
import SluiceApp

struct DNSCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dns",
        abstract: "Check the DNS records of SES sending domains.",
        subcommands: [Check.self]
    )

    struct Check: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check SPF, DKIM, DMARC and custom MAIL FROM of a domain.",
            discussion: "Exit codes: 0 nothing failed, 2 a check failed, 1 a lookup could not complete (temporary DNS error)."
        )
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The sending domain, e.g. example.com.") var domain: String
        @Option(name: .customLong("dkim-token"), help: "An Easy DKIM token (repeat for all three).") var dkimTokens: [String] = []
        @Option(name: .customLong("mail-from"), help: "Custom MAIL FROM subdomain (e.g. mail or mail.example.com).") var mailFrom: String?
        @Option(help: "SES region (default: ses.region).") var region: String?
        @Flag(help: "Print JSON instead of text.") var json = false
        @Flag(name: .customLong("no-ses"), help: "Do not ask SES (GetEmailIdentity) for the DKIM tokens and the identity's status.")
        var noSES = false

        func run() async throws {
            try await exiting {
                let configuration = try global.loadConfiguration()
                let service: DomainCheckService
                do {
                    service = try DomainCheckService(
                        configuration: configuration, logger: makeLogger(configuration), environment: ProcessInfo.processInfo.environment)
                } catch {
                    throw ExitFailure.configuration("\(error)")
                }
                let report = await service.check(domain: domain, dkimTokens: dkimTokens, mailFrom: mailFrom, region: region, useSES: !noSES)
                print(json ? try report.renderJSON() : report.renderText())
                if report.hasFailures { throw ExitCode(2) }
                if report.hasErrors { throw ExitCode(1) }
            }
        }
    }
}
