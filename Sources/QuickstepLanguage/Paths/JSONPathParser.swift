import QuickstepJSON

/// Why a JSONPath could not be parsed.
public struct JSONPathSyntaxError: Error, Sendable, Equatable, CustomStringConvertible {
    public let path: String
    public let message: String
    /// The character offset in the path where the problem is.
    public let offset: Int

    public var description: String { "invalid JSONPath '\(path)' at character \(offset + 1): \(message)" }
}

extension JSONPath {
    /// Parses `text` as a JSONPath.
    ///
    /// - Parameter allowVariables: whether `$name` (a variable) may start the path; ResultPath may not.
    /// - Throws: ``JSONPathSyntaxError``.
    public static func parse(_ text: String, allowVariables: Bool = true) throws(JSONPathSyntaxError) -> JSONPath {
        var parser = JSONPathParser(text: text)
        return try parser.parsePath(allowVariables: allowVariables)
    }
}

/// A recursive-descent parser over the path's Unicode scalars.
struct JSONPathParser: ScalarCursor {
    let text: String
    let scalars: [Unicode.Scalar]
    var position = 0

    init(text: String) {
        self.text = text
        scalars = Array(text.unicodeScalars)
    }

    mutating func parsePath(allowVariables: Bool) throws(JSONPathSyntaxError) -> JSONPath {
        guard peek() == "$" else { throw failure("a path must start with '$'") }
        position += 1
        let root: JSONPath.Root
        if peek() == "$" {
            position += 1
            root = .context
        } else if let next = peek(), Self.isIdentifierStart(next) {
            guard allowVariables else { throw failure("a variable cannot be used here") }
            let start = position
            while let scalar = peek(), Self.isIdentifierContinue(scalar) { position += 1 }
            root = .variable(string(start..<position))
        } else {
            root = .input
        }
        let segments = try parseSegments(until: nil)
        return JSONPath(text: text, root: root, segments: segments)
    }

    /// Parses segments up to the end of the text or, inside a filter, up to a character that ends an operand.
    mutating func parseSegments(until terminators: Set<Unicode.Scalar>?) throws(JSONPathSyntaxError) -> [JSONPath.Segment] {
        var segments: [JSONPath.Segment] = []
        while let scalar = peek() {
            if let terminators, terminators.contains(scalar) || scalar == " " { break }
            switch scalar {
            case ".":
                position += 1
                if peek() == "." {
                    position += 1
                    if peek() == "[" {
                        segments.append(.descendant(try parseBracket()))
                    } else {
                        segments.append(.descendant(try parseDotMember()))
                    }
                } else {
                    segments.append(try parseDotMember())
                }
            case "[":
                segments.append(try parseBracket())
            default:
                throw failure("expected '.' or '[' but found '\(scalar)'")
            }
        }
        return segments
    }

    /// After a dot: `*` or a name, where `\` escapes the next character.
    mutating func parseDotMember() throws(JSONPathSyntaxError) -> JSONPath.Segment {
        if peek() == "*" {
            position += 1
            return .wildcard
        }
        var name = String.UnicodeScalarView()
        while let scalar = peek(), scalar != ".", scalar != "[" {
            if scalar == "\\" {
                position += 1
                guard let escaped = peek() else { throw failure("a '\\' must be followed by a character") }
                name.append(escaped)
            } else {
                if " ()=<>!&|,".unicodeScalars.contains(scalar) && filterDepth > 0 { break }
                name.append(scalar)
            }
            position += 1
        }
        guard !name.isEmpty else { throw failure("expected a member name") }
        return .member(String(name))
    }

    /// How many filters enclose the current position; inside one, operators end a member name.
    var filterDepth = 0

    /// `[...]`: quoted names, indexes, slices, `*` or a filter.
    mutating func parseBracket() throws(JSONPathSyntaxError) -> JSONPath.Segment {
        position += 1
        skipSpaces()
        guard let first = peek() else { throw failure("unclosed '['") }
        let segment: JSONPath.Segment
        switch first {
        case "*":
            position += 1
            segment = .wildcard
        case "'", "\"":
            var names: [String] = [try parseQuoted()]
            skipSpaces()
            while peek() == "," {
                position += 1
                skipSpaces()
                names.append(try parseQuoted())
                skipSpaces()
            }
            segment = names.count == 1 ? .member(names[0]) : .members(names)
        case "?":
            position += 1
            skipSpaces()
            guard peek() == "(" else { throw failure("expected '(' after '?'") }
            position += 1
            filterDepth += 1
            let expression = try parseOr()
            filterDepth -= 1
            skipSpaces()
            guard peek() == ")" else { throw failure("expected ')' to close the filter") }
            position += 1
            segment = .filter(expression)
        default:
            segment = try parseIndexesOrSlice()
        }
        skipSpaces()
        guard peek() == "]" else { throw failure("expected ']'") }
        position += 1
        return segment
    }

    mutating func parseIndexesOrSlice() throws(JSONPathSyntaxError) -> JSONPath.Segment {
        let start = parseInteger()
        skipSpaces()
        if peek() == ":" {
            position += 1
            skipSpaces()
            let end = parseInteger()
            skipSpaces()
            var step: Int?
            if peek() == ":" {
                position += 1
                skipSpaces()
                step = parseInteger()
                if step == 0 { throw failure("a slice step cannot be 0") }
            }
            return .slice(start: start, end: end, step: step)
        }
        guard let start else { throw failure("expected an index, a slice, a quoted name, '*' or a filter") }
        var indexes = [start]
        while peek() == "," {
            position += 1
            skipSpaces()
            guard let index = parseInteger() else { throw failure("expected an index") }
            indexes.append(index)
            skipSpaces()
        }
        return indexes.count == 1 ? .index(start) : .indexes(indexes)
    }

    mutating func parseInteger() -> Int? {
        let start = position
        if peek() == "-" { position += 1 }
        let digitsStart = position
        while let scalar = peek(), ("0"..."9").contains(scalar) { position += 1 }
        guard position > digitsStart else {
            position = start
            return nil
        }
        return Int(string(start..<position))
    }

    /// A single- or double-quoted name; `\` escapes the next character.
    mutating func parseQuoted() throws(JSONPathSyntaxError) -> String {
        guard let quote = peek(), quote == "'" || quote == "\"" else { throw failure("expected a quoted name") }
        position += 1
        var name = String.UnicodeScalarView()
        while let scalar = peek() {
            position += 1
            if scalar == quote { return String(name) }
            if scalar == "\\" {
                guard let escaped = peek() else { break }
                position += 1
                name.append(escaped)
            } else {
                name.append(scalar)
            }
        }
        throw failure("unclosed quoted name")
    }

    // MARK: Filters

    mutating func parseOr() throws(JSONPathSyntaxError) -> FilterExpression {
        var expression = try parseAnd()
        while consume("||") { expression = .or(expression, try parseAnd()) }
        return expression
    }

    mutating func parseAnd() throws(JSONPathSyntaxError) -> FilterExpression {
        var expression = try parseUnary()
        while consume("&&") { expression = .and(expression, try parseUnary()) }
        return expression
    }

    mutating func parseUnary() throws(JSONPathSyntaxError) -> FilterExpression {
        skipSpaces()
        if peek() == "!" && peek(offset: 1) != "=" {
            position += 1
            return .not(try parseUnary())
        }
        if peek() == "(" {
            position += 1
            let inner = try parseOr()
            skipSpaces()
            guard peek() == ")" else { throw failure("expected ')'") }
            position += 1
            return inner
        }
        let left = try parseOperand()
        skipSpaces()
        for comparison in [FilterComparison.lessThanOrEqual, .greaterThanOrEqual, .equal, .notEqual, .lessThan, .greaterThan]
        where consume(comparison.rawValue) {
            return .compare(left, comparison, try parseOperand())
        }
        if peek() == "=" && peek(offset: 1) == "~" { throw failure("regular-expression filters (=~) are not supported") }
        return .exists(left)
    }

    mutating func parseOperand() throws(JSONPathSyntaxError) -> FilterOperand {
        skipSpaces()
        guard let scalar = peek() else { throw failure("expected a value in the filter") }
        let terminators: Set<Unicode.Scalar> = [")", "=", "!", "<", ">", "&", "|"]
        switch scalar {
        case "@":
            position += 1
            return .current(try parseSegments(until: terminators))
        case "$":
            let start = position
            position += 1
            let root: JSONPath.Root
            if peek() == "$" {
                position += 1
                root = .context
            } else {
                root = .input
            }
            let segments = try parseSegments(until: terminators)
            let pathText = string(start..<position)
            return .path(JSONPath(text: pathText, root: root, segments: segments))
        case "'", "\"":
            return .literal(.string(try parseQuoted()))
        default:
            let start = position
            while let next = peek(), !terminators.contains(next), next != " " { position += 1 }
            let word = string(start..<position)
            switch word {
            case "true": return .literal(.bool(true))
            case "false": return .literal(.bool(false))
            case "null": return .literal(.null)
            default:
                if let value = try? JSONParser.parse(word), value.numberValue != nil { return .literal(value) }
                position = start
                throw failure("expected '@', a path, a quoted string, a number, true, false or null")
            }
        }
    }

    // MARK: Helpers

    mutating func consume(_ token: String) -> Bool {
        skipSpaces()
        let tokenScalars = Array(token.unicodeScalars)
        guard position + tokenScalars.count <= scalars.count,
            Array(scalars[position..<(position + tokenScalars.count)]) == tokenScalars
        else { return false }
        position += tokenScalars.count
        return true
    }

    func failure(_ message: String) -> JSONPathSyntaxError {
        JSONPathSyntaxError(path: text, message: message, offset: position)
    }

    static func isIdentifierStart(_ scalar: Unicode.Scalar) -> Bool {
        scalar == "_" || scalar.properties.isIDStart
    }

    static func isIdentifierContinue(_ scalar: Unicode.Scalar) -> Bool {
        scalar.properties.isIDContinue
    }
}
