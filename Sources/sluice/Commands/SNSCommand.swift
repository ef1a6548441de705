import ArgumentParser
import Foundation
import SluiceApp
import SluiceCore
import SluiceStore

/// `sluice sns …`: SNS subscriptions recorded by the endpoint.
struct SNSCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sns",
        abstract: "Inspect and confirm the SNS subscriptions of the feedback endpoint.",
        subcommands: [Subscriptions.self, Confirm.self]
    )

    struct Subscriptions: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List recorded subscriptions: topic, state, time.")
        @OptionGroup var global: GlobalOptions

        func run() async throws {
            try await exiting {
                let (service, store) = try openService(global)
                defer { store.close() }
                let records = try await service.subscriptions()
                if records.isEmpty {
                    print("no SNS subscriptions recorded")
                    return
                }
                let formatter = ISO8601DateFormatter()
                print("TOPIC\tSTATE\tUPDATED\tENDPOINT")
                for record in records {
                    print("\(record.topicArn)\t\(record.state.rawValue)\t\(formatter.string(from: record.updatedAt))\t\(record.endpoint)")
                }
            }
        }
    }

    struct Confirm: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Confirm a pending subscription (one per topic and endpoint) by visiting its recorded SubscribeURL.",
            discussion: "The URL passes the same checks as automatic confirmation (topic in sns.topic_arns, SNS host of the topic's region, Action=ConfirmSubscription). Exit codes: 0 confirmed, 1 failed."
        )
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The topic ARN, as listed by `sluice sns subscriptions`.") var topic: String
        @Option(help: "The endpoint (default, or NAME of /sns/NAME), when the topic has records for several.") var endpoint: String?

        func run() async throws {
            try await exiting {
                let (service, store) = try openService(global)
                defer { store.close() }
                do throws(SNSSubscriptionError) {
                    let record = try await service.confirm(topicArn: topic, endpoint: endpoint)
                    print("confirmed \(record.topicArn) as \(record.subscriptionArn ?? "-")")
                } catch {
                    throw ExitFailure.failure("cannot confirm: \(error.message)")
                }
            }
        }
    }
}

/// Loads configuration and opens the store for an `sns` subcommand.
private func openService(_ global: GlobalOptions) throws -> (SNSSubscriptionService, any AppStore) {
    let configuration = try global.loadConfiguration()
    let logger = makeLogger(configuration)
    let store = try openStore(configuration, logger: logger)
    let service = SNSSubscriptionService(settings: SNSEndpointSettings(configuration: configuration), store: store, logger: logger)
    return (service, store)
}
