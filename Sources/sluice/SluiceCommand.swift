import ArgumentParser

/// `sluice`: the executable's root; subcommands do the work.
@main
struct SluiceCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sluice",
        abstract: "Deliverability gate for Amazon SES: SNS feedback endpoint, suppression store, send gate, monitoring.",
        discussion: """
        Configuration: defaults, then --config FILE (or SLUICE_CONFIG), then SLUICE_<SECTION>_<KEY> \
        environment variables. See Config/sluice.example.toml.

        Exit codes: 0 ok, 1 other error, 2 a check failed (dns check), 64 usage error, 66 input file unreadable, 73 output file not creatable, 75 database in use (restore), 78 configuration error, 130/143 stopped by SIGINT/SIGTERM (backup, export --output).
        """,
        version: "sluice \(versionString)",
        subcommands: [
            Serve.self, Migrate.self, Backup.self, Restore.self, ConfigCommand.self, SuppressionsCommand.self, HistoryCommand.self, SNSCommand.self,
            Stats.self, Alerts.self, Sending.self, SESCommand.self, DNSCommand.self, Healthcheck.self, Version.self,
        ]
    )
}
