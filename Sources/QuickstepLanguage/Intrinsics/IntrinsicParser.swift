import QuickstepJSON

/// Why an intrinsic function call could not be parsed.
public struct IntrinsicSyntaxError: Error, Sendable, Equatable, CustomStringConvertible {
    public let expression: String
    public let message: String

    public var description: String { "invalid intrinsic function call '\(expression)': \(message)" }
}

extension IntrinsicCall {
    /// AWS allows at most 10 nested intrinsic function calls in one field.
    public static let maximumNesting = 10

    /// Parses an intrinsic function call.
    ///
    /// Grammar: `Name(arg, ...)`, an argument being a single-quoted string (escapes `\'`, `\{`, `\}`, `\\`), a
    /// number, `true`, `false`, `null`, a path (`$...`, `$$...`, `$name...`) or a nested call.
    ///
    /// - Throws: ``IntrinsicSyntaxError``.
    public static func parse(_ text: String) throws(IntrinsicSyntaxError) -> IntrinsicCall {
        var parser = IntrinsicParser(text: text)
        let call = try parser.parseCall(depth: 1)
        parser.skipSpaces()
        guard parser.atEnd else { throw parser.failure("unexpected text after the call") }
        return call
    }

    /// Whether `text` looks like an attempt at an intrinsic call (a name followed by `(`), as opposed to a path.
    public static func looksLikeCall(_ text: String) -> Bool {
        guard let first = text.unicodeScalars.first, first != "$" else { return false }
        return text.contains("(")
    }
}

struct IntrinsicParser: ScalarCursor {
    let text: String
    let scalars: [Unicode.Scalar]
    var position = 0

    init(text: String) {
        self.text = text
        scalars = Array(text.unicodeScalars)
    }

    var atEnd: Bool { position >= scalars.count }

    mutating func parseCall(depth: Int) throws(IntrinsicSyntaxError) -> IntrinsicCall {
        guard depth <= IntrinsicCall.maximumNesting else {
            throw failure("more than \(IntrinsicCall.maximumNesting) nested intrinsic function calls")
        }
        skipSpaces()
        let start = position
        while let scalar = peek(), scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) || scalar == "." || scalar == "_" {
            position += 1
        }
        let name = string(start..<position)
        guard let function = IntrinsicFunction(rawValue: name) else {
            throw failure(name.isEmpty ? "expected a function name" : "unknown intrinsic function '\(name)'")
        }
        skipSpaces()
        guard peek() == "(" else { throw failure("expected '(' after \(name)") }
        position += 1
        var arguments: [IntrinsicArgument] = []
        var formatTemplate: [FormatPart]?
        skipSpaces()
        if peek() == ")" {
            position += 1
        } else {
            while true {
                skipSpaces()
                if function == .format && arguments.isEmpty && peek() == "'" {
                    let (value, parts) = try parseString(splittingPlaceholders: true)
                    arguments.append(.literal(.string(value)))
                    formatTemplate = parts
                } else {
                    arguments.append(try parseArgument(depth: depth))
                }
                skipSpaces()
                if peek() == "," {
                    position += 1
                    continue
                }
                guard peek() == ")" else { throw failure("expected ',' or ')' in the arguments of \(name)") }
                position += 1
                break
            }
        }
        guard function.arity.contains(arguments.count) else {
            let expected = function.arity.upperBound == Int.max
                ? "at least \(function.arity.lowerBound)"
                : function.arity.count == 1 ? "\(function.arity.lowerBound)" : "\(function.arity.lowerBound) to \(function.arity.upperBound)"
            throw failure("\(name) takes \(expected) argument\(function.arity == 1...1 ? "" : "s"), not \(arguments.count)")
        }
        return IntrinsicCall(function: function, arguments: arguments, formatTemplate: formatTemplate, text: string(start..<position))
    }

    mutating func parseArgument(depth: Int) throws(IntrinsicSyntaxError) -> IntrinsicArgument {
        guard let scalar = peek() else { throw failure("expected an argument") }
        switch scalar {
        case "'":
            return .literal(.string(try parseString(splittingPlaceholders: false).value))
        case "$":
            let start = position
            // A path runs to the next ',' or ')' outside brackets and quotes.
            var bracketDepth = 0
            var quote: Unicode.Scalar?
            while let next = peek() {
                if let open = quote {
                    if next == "\\" { position += 1 } else if next == open { quote = nil }
                } else if next == "'" || next == "\"" {
                    quote = next
                } else if next == "[" || next == "(" {
                    bracketDepth += 1
                } else if next == "]" || next == ")" {
                    if bracketDepth == 0 { break }
                    bracketDepth -= 1
                } else if next == "," && bracketDepth == 0 {
                    break
                }
                position += 1
            }
            let pathText = string(start..<position).trimmingTrailingSpaces()
            do {
                return .path(try JSONPath.parse(pathText))
            } catch {
                throw failure(error.description)
            }
        default:
            if scalar == "-" || ("0"..."9").contains(scalar) || scalar.properties.isAlphabetic {
                let start = position
                while let next = peek(), next != ",", next != ")", next != " ", next != "(" { position += 1 }
                let word = string(start..<position)
                if peek() == "(" || word.hasPrefix("States.") {
                    position = start
                    return .call(try parseCall(depth: depth + 1))
                }
                switch word {
                case "true": return .literal(.bool(true))
                case "false": return .literal(.bool(false))
                case "null": return .literal(.null)
                default:
                    if let number = try? JSONParser.parse(word), number.numberValue != nil { return .literal(number) }
                    position = start
                    throw failure("'\(word)' is not a string, number, boolean, null, path or function call")
                }
            }
            throw failure("unexpected character '\(scalar)'")
        }
    }

    /// A single-quoted string. In a `States.Format` template, unescaped `{}` pairs become placeholders.
    mutating func parseString(splittingPlaceholders: Bool) throws(IntrinsicSyntaxError) -> (value: String, parts: [FormatPart]) {
        position += 1
        var value = String.UnicodeScalarView()
        var current = String.UnicodeScalarView()
        var parts: [FormatPart] = []
        while let scalar = peek() {
            position += 1
            switch scalar {
            case "'":
                if !current.isEmpty { parts.append(.text(String(current))) }
                return (String(value), parts)
            case "\\":
                guard let escaped = peek() else { throw failure("a string ends with an unfinished escape '\\'") }
                guard "'{}\\".unicodeScalars.contains(escaped) else {
                    throw failure("'\\\(escaped)' is not an escape; only \\', \\{, \\} and \\\\ are")
                }
                position += 1
                value.append(escaped)
                current.append(escaped)
            case "{" where splittingPlaceholders && peek() == "}":
                position += 1
                value.append(contentsOf: "{}".unicodeScalars)
                if !current.isEmpty { parts.append(.text(String(current))) }
                current = String.UnicodeScalarView()
                parts.append(.placeholder)
            default:
                value.append(scalar)
                current.append(scalar)
            }
        }
        throw failure("unclosed string")
    }

    func failure(_ message: String) -> IntrinsicSyntaxError {
        IntrinsicSyntaxError(expression: text, message: message)
    }
}

extension String {
    func trimmingTrailingSpaces() -> String {
        var result = self
        while result.last == " " { result.removeLast() }
        return result
    }
}
