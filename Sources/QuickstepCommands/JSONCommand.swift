import ArgumentParser
import QuickstepJSON

/// `quickstep json`: checks JSON files with Quickstep's strict parser and prints them compact, pretty or canonical.
struct JSONCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "json",
        abstract: "Check a JSON document and print it.",
        discussion: """
            Reads FILE (or standard input for '-') with the strict RFC 8259 parser that Quickstep uses for \
            definitions and inputs. A malformed document is reported with its line, column and byte offset \
            and exits 1.

            Example: quickstep json --style canonical input.json
            """
    )

    enum OutputStyle: String, ExpressibleByArgument, CaseIterable {
        case compact, pretty, canonical

        var serializerStyle: JSONSerializer.Style {
            switch self {
            case .compact: .compact
            case .pretty: .pretty
            case .canonical: .canonical
            }
        }
    }

    @Argument(help: "The JSON file to read, or '-' for standard input.")
    var file: String

    @Option(help: "How to print the document: compact, pretty or canonical (sorted keys).")
    var style: OutputStyle = .pretty

    @Option(help: "The deepest nesting of arrays and objects to accept.")
    var maximumDepth: Int = JSONParser.Options().maximumDepth

    func run() throws {
        let bytes = try InputFile.read(file)
        do {
            let value = try JSONParser.parse(bytes, options: .init(maximumDepth: maximumDepth))
            print(JSONSerializer.text(value, style: style.serializerStyle))
        } catch {
            printError("\(InputFile.displayName(file)): \(error)")
            throw ExitCode(1)
        }
    }
}
