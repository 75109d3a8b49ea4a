import ArgumentParser
import QuickstepEngine

/// The `quickstep` command line: the root command and its subcommands.
///
/// Exit codes, for every subcommand: 0 success, 1 the work itself failed (an invalid document, a failed
/// execution), 2 a usage or I/O error.
public struct QuickstepCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "quickstep",
        abstract: "Run AWS Step Functions state machines (Amazon States Language) fast, without AWS.",
        version: QuickstepVersion.current,
        subcommands: [RunCommand.self, BenchCommand.self, ValidateCommand.self, CompileCommand.self, ConformanceCommand.self, JSONCommand.self]
    )

    public init() {}
}
