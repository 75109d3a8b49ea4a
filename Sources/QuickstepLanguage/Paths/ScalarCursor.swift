/// The position of a hand-written parser in its text's Unicode scalars, shared by the JSONPath and intrinsic
/// parsers.
protocol ScalarCursor {
    var scalars: [Unicode.Scalar] { get }
    var position: Int { get set }
}

extension ScalarCursor {
    /// The scalar `offset` places ahead, or `nil` past the end.
    func peek(offset: Int = 0) -> Unicode.Scalar? {
        position + offset < scalars.count ? scalars[position + offset] : nil
    }

    mutating func skipSpaces() {
        while peek() == " " { position += 1 }
    }

    /// The text of the scalars in `range`.
    func string(_ range: Range<Int>) -> String {
        String(String.UnicodeScalarView(scalars[range]))
    }
}
