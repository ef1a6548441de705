import ArgumentParser
import SluiceApp

let versionString = SluiceVersion.current

struct Version: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Print the version.")

    func run() {
        print("sluice \(versionString)")
    }
}
