import ArgumentParser
import Foundation

/// Reading the files and standard input that commands take, with I/O failures turned into exit code 2.
enum InputFile {
    /// The bytes of `path`, or of standard input when `path` is `-`.
    ///
    /// - Throws: `ExitCode(2)` after printing why, when the file cannot be read.
    static func read(_ path: String) throws -> [UInt8] {
        if path == "-" {
            return [UInt8](FileHandle.standardInput.readDataToEndOfFile())
        }
        do {
            return [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        } catch {
            printError("cannot read \(path): \(Self.reason(error))")
            throw ExitCode(2)
        }
    }

    /// How diagnostics name the file.
    static func displayName(_ path: String) -> String {
        path == "-" ? "<stdin>" : path
    }

    private static func reason(_ error: any Error) -> String {
        let underlying = (error as NSError).userInfo[NSUnderlyingErrorKey] as? NSError
        if let underlying, underlying.domain == NSPOSIXErrorDomain,
            let code = POSIXErrorCode(rawValue: Int32(underlying.code))
        {
            return String(cString: strerror(code.rawValue))
        }
        return error.localizedDescription
    }
}

/// Writes a line to standard error.
func printError(_ message: String) {
    FileHandle.standardError.write(Data((message + "\n").utf8))
}
