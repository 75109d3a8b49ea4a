import QuickstepJSON
import Synchronization
import QuickstepLanguage

/// The 18 `States.*` intrinsic functions, with AWS's limits and quirks. Every failure is `States.IntrinsicFailure`.
enum Intrinsics {
    /// Calls the call at `call` (read in place) with its arguments already evaluated.
    static func apply(_ call: UnsafePointer<IntrinsicCall>, _ arguments: UnsafeBufferPointer<JSONValue>) throws(ExecutionFailure) -> JSONValue {
        // Spelled only for an error's cause (made eagerly, it was a string built and released per call).
        var name: String { call.pointee.function.rawValue }
        switch call.pointee.function {
        case .format:
            guard case .string(let template) = arguments[0] else { throw argumentType(name, 1, "a string") }
            let parts = call.pointee.formatTemplate ?? Self.splitTemplate(template)
            let placeholders = parts.filter { $0 == .placeholder }.count
            guard placeholders == arguments.count - 1 else {
                throw .intrinsic("Number of arguments in \(name) do not match the occurrences of {}")
            }
            var text = ""
            var next = 1
            for part in parts {
                switch part {
                case .text(let literal): text += literal
                case .placeholder:
                    text += naturalText(arguments[next])
                    next += 1
                }
            }
            return .string(text)
        case .stringToJson:
            guard case .string(let text) = arguments[0] else { throw argumentType(name, 1, "a string") }
            do {
                return try JSONParser.parse(text)
            } catch {
                throw .intrinsic("\(name) could not parse its argument as JSON: \(error)")
            }
        case .jsonToString:
            return .string(arguments[0].compactText)
        case .array:
            return .array(Array(arguments))
        case .arrayPartition:
            guard case .array(let elements) = arguments[0] else { throw argumentType(name, 1, "an array") }
            guard let size = integer(arguments[1]), size > 0 else {
                throw .intrinsic("The chunk size of \(name) must be a positive integer")
            }
            return .array(stride(from: 0, to: elements.count, by: Int(size)).map {
                .array(Array(elements[$0..<min($0 + Int(size), elements.count)]))
            })
        case .arrayContains:
            guard case .array(let elements) = arguments[0] else { throw argumentType(name, 1, "an array") }
            return .bool(elements.contains(arguments[1]))
        case .arrayRange:
            guard let start = integer(arguments[0]), let end = integer(arguments[1]), let step = integer(arguments[2]) else {
                throw .intrinsic("The arguments of \(name) must be integers")
            }
            guard step != 0 else { throw .intrinsic("The step of \(name) cannot be 0") }
            let count = step > 0 ? (end >= start ? (end - start) / step + 1 : 0) : (start >= end ? (start - end) / -step + 1 : 0)
            guard count <= 1000 else { throw .intrinsic("\(name) cannot produce more than 1000 items") }
            return .array((0..<count).map { .int(start + $0 * step) })
        case .arrayGetItem:
            guard case .array(let elements) = arguments[0] else { throw argumentType(name, 1, "an array") }
            guard let index = integer(arguments[1]), index >= 0, index < elements.count else {
                throw .intrinsic("The index of \(name) is out of bounds")
            }
            return elements[Int(index)]
        case .arrayLength:
            guard case .array(let elements) = arguments[0] else { throw argumentType(name, 1, "an array") }
            return .int(Int64(elements.count))
        case .arrayUnique:
            guard case .array(let elements) = arguments[0] else { throw argumentType(name, 1, "an array") }
            var seen = Set<JSONValue>()
            return .array(elements.filter { seen.insert($0).inserted })
        case .base64Encode:
            guard case .string(let text) = arguments[0] else { throw argumentType(name, 1, "a string") }
            guard text.count <= 10_000 else { throw .intrinsic("The input of \(name) is longer than 10000 characters") }
            return .string(Base64.encode(Array(text.utf8)))
        case .base64Decode:
            guard case .string(let text) = arguments[0] else { throw argumentType(name, 1, "a string") }
            guard text.count <= 10_000 else { throw .intrinsic("The input of \(name) is longer than 10000 characters") }
            guard let bytes = Base64.decode(text) else { throw .intrinsic("The input of \(name) is not valid Base64") }
            return .string(String(decoding: bytes, as: UTF8.self))
        case .hash:
            guard case .string(let algorithm) = arguments[1] else { throw argumentType(name, 2, "a string") }
            let data = arguments[0].stringValue ?? arguments[0].compactText
            guard data.count <= 10_000 else { throw .intrinsic("The input of \(name) is longer than 10000 characters") }
            guard let digest = Digests.hexDigest(of: Array(data.utf8), algorithm: algorithm) else {
                throw .intrinsic("\(name) does not support the algorithm '\(algorithm)'; use MD5, SHA-1, SHA-256, SHA-384 or SHA-512")
            }
            return .string(digest)
        case .jsonMerge:
            guard case .object(var merged) = arguments[0] else { throw argumentType(name, 1, "an object") }
            guard case .object(let other) = arguments[1] else { throw argumentType(name, 2, "an object") }
            guard case .bool(let deep) = arguments[2] else { throw argumentType(name, 3, "a boolean") }
            guard !deep else { throw .intrinsic("\(name) supports only shallow merges: its third argument must be false") }
            for member in other { merged[member.key] = member.value }
            return .object(merged)
        case .mathRandom:
            guard let start = roundedInteger(arguments[0]), let end = roundedInteger(arguments[1]) else {
                throw .intrinsic("The range of \(name) must be numbers")
            }
            guard start <= end else { throw .intrinsic("The start of \(name) must not be above its end") }
            var generator: any RandomNumberGenerator = SystemRandomNumberGenerator()
            if arguments.count == 3 {
                guard let seed = roundedInteger(arguments[2]) else { throw argumentType(name, 3, "a number") }
                generator = SeededGenerator(seed: UInt64(bitPattern: seed))
            }
            return .int(Int64.random(in: start...end, using: &generator))
        case .mathAdd:
            guard let a = roundedInteger(arguments[0]), let b = roundedInteger(arguments[1]) else {
                throw .intrinsic("The arguments of \(name) must be numbers")
            }
            let (sum, overflow) = a.addingReportingOverflow(b)
            guard !overflow else { throw .intrinsic("\(name) overflowed") }
            return .int(sum)
        case .stringSplit:
            guard case .string(let text) = arguments[0] else { throw argumentType(name, 1, "a string") }
            guard case .string(let delimiters) = arguments[1] else { throw argumentType(name, 2, "a string") }
            let set = Set(delimiters)
            return .array(text.split(whereSeparator: { set.contains($0) }).map { .string(String($0)) })
        case .uuid:
            return .string(UUIDv4.random())
        }
    }

    /// How `States.Format` writes a value: strings without quotes, other scalars as JSON, containers as Java's
    /// `toString` writes maps and lists (`{a=1, b=[x, y]}`), which is what AWS does.
    static func naturalText(_ value: JSONValue) -> String {
        switch value {
        case .string(let text): return text
        case .array(let elements): return "[" + elements.map(naturalText).joined(separator: ", ") + "]"
        case .object(let object): return "{" + object.map { "\($0.key)=\(naturalText($0.value))" }.joined(separator: ", ") + "}"
        default: return value.compactText
        }
    }

    /// A template that came from a path rather than a literal: `{}` is a placeholder everywhere.
    static func splitTemplate(_ template: String) -> [FormatPart] {
        var parts: [FormatPart] = []
        var rest = Substring(template)
        while let range = rest.range(of: "{}") {
            if range.lowerBound > rest.startIndex { parts.append(.text(String(rest[..<range.lowerBound]))) }
            parts.append(.placeholder)
            rest = rest[range.upperBound...]
        }
        if !rest.isEmpty { parts.append(.text(String(rest))) }
        return parts
    }

    static func integer(_ value: JSONValue) -> Int64? {
        value.integerValue
    }

    /// A number rounded as Java's `Math.round` rounds (half up: `floor(x + 0.5)`), as AWS's MathAdd does.
    static func roundedInteger(_ value: JSONValue) -> Int64? {
        switch value {
        case .int(let integer): return integer
        case .double(let number): return Int64(exactly: (number + 0.5).rounded(.down))
        default: return nil
        }
    }

    static func argumentType(_ name: String, _ position: Int, _ expected: String) -> ExecutionFailure {
        .intrinsic("The argument \(position) of \(name) must be \(expected)")
    }
}

/// SplitMix64: the same seed gives the same numbers, as `States.MathRandom` with a seed must.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        return Self.mix(state)
    }

    /// SplitMix64's finalizer: a bijection on 64-bit values that scatters nearby inputs.
    static func mix(_ value: UInt64) -> UInt64 {
        var z = value
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Random version-4 UUIDs in their lowercase text form, formatted into a fixed buffer (one String allocation).
///
/// The bits come from a process-wide counter run through SplitMix64's bijective mixer, seeded once from the system:
/// unique within the process, unpredictable enough for names, and free of the `getrandom` system call that
/// `SystemRandomNumberGenerator` makes each time (four per execution were 5% of `quickstep bench`'s time).
enum UUIDv4 {
    private static let seed: UInt64 = {
        var generator = SystemRandomNumberGenerator()
        return generator.next()
    }()
    private static let counter = Atomic<UInt64>(0)

    /// The 128 bits of a UUID.
    struct Bits: Hashable, Sendable {
        var high: UInt64
        var low: UInt64
    }

    static func random() -> String {
        text(randomBits())
    }

    static func randomBits() -> Bits {
        let (seed, sequence) = randomSource()
        return nameBits(seed: seed, sequence: sequence)
    }

    /// A fresh (seed, sequence) pair that ``nameBits(seed:sequence:)`` turns into random bits: the process's seed
    /// and the next value of its counter.
    static func randomSource() -> (seed: UInt64, sequence: UInt64) {
        (seed, counter.add(1, ordering: .relaxed).newValue)
    }

    /// The sequence of position `position` (below 2^43) of stream `stream`, for ``nameBits(seed:sequence:)`` and
    /// ``idBits(seed:sequence:)`` (see ``pair(seed:stream:position:)``).
    static func sequence(stream: Int, position: Int) -> UInt64 {
        UInt64(truncatingIfNeeded: stream) << 44 | UInt64(truncatingIfNeeded: position) << 1
    }

    /// An execution's name bits: those of sequence `sequence` under `seed`.
    static func nameBits(seed: UInt64, sequence: UInt64) -> Bits {
        bits(sequence: sequence, seed: seed)
    }

    /// An execution's id bits: those of `sequence | 1` under `seed`, with the stream's number (from the sequence's
    /// high bits) in the low six bits for streams other than 0.
    static func idBits(seed: UInt64, sequence: UInt64) -> Bits {
        var id = bits(sequence: sequence | 1, seed: seed)
        let stream = sequence >> 44
        if stream != 0 { id.low = id.low & ~streamMask | stream & streamMask }
        return id
    }

    /// An execution's name and id: position `position` (below 2^43) of stream `stream` of the ids that `seed`
    /// makes. Under one seed, distinct (stream, position) pairs give distinct bits, and nothing is shared between
    /// streams: an engine gives each counters stripe a stream (see ``Engine``), so workers starting executions
    /// write no common line. (One process-wide counter was an atomic add on a line every worker wrote, per start.)
    ///
    /// The id's low six bits are the stream's (modulo 64) for streams other than 0 (the engine's threads outside
    /// the pool), whose ids keep random ones: ``ExecutionRegistry`` files an execution under those bits, so each
    /// worker's executions go to a stripe of their own and an ARN still names its stripe.
    static func pair(seed: UInt64, stream: Int, position: Int) -> (Bits, Bits) {
        let sequence = sequence(stream: stream, position: position)
        return (nameBits(seed: seed, sequence: sequence), idBits(seed: seed, sequence: sequence))
    }

    /// The bits of an execution id that name its stream (see ``pair(seed:stream:position:)``).
    static let streamMask: UInt64 = 0x3F

    private static func bits(sequence: UInt64, seed: UInt64 = seed) -> Bits {
        let high = SeededGenerator.mix(seed ^ (sequence << 1))
        let low = SeededGenerator.mix(seed ^ (sequence << 1 | 1))
        return Bits(high: high & ~0xF000 | 0x4000,  // version 4
                    low: low & ~(0xC000 << 48) | (0x8000 << 48))  // variant 10
    }

    /// The length of a UUID's text form.
    static let textLength = 36

    /// The lowercase text form, `xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx`.
    static func text(_ bits: Bits) -> String {
        String(unsafeUninitializedCapacity: textLength) { buffer in
            write(bits, into: buffer, at: 0)
            return textLength
        }
    }

    /// Writes the text form into `buffer` at `start` (``textLength`` bytes).
    @inline(__always)
    static func write(_ bits: Bits, into buffer: UnsafeMutableBufferPointer<UInt8>, at start: Int) {
        let hex: StaticString = "0123456789abcdef"
        var position = start
        func put(_ value: UInt64, nibbles: Int) {
            for shift in stride(from: (nibbles - 1) * 4, through: 0, by: -4) {
                buffer[position] = hex.utf8Start[Int((value >> UInt64(shift)) & 0xF)]
                position += 1
            }
        }
        func dash() {
            buffer[position] = UInt8(ascii: "-")
            position += 1
        }
        put(bits.high >> 32, nibbles: 8); dash()
        put(bits.high >> 16 & 0xFFFF, nibbles: 4); dash()
        put(bits.high & 0xFFFF, nibbles: 4); dash()
        put(bits.low >> 48, nibbles: 4); dash()
        put(bits.low & 0xFFFF_FFFF_FFFF, nibbles: 12)
    }

    /// The bits of a UUID's text form (either case), or nil when `text` is not one.
    static func bits<Text: StringProtocol>(_ text: Text) -> Bits? {
        var high: UInt64 = 0
        var low: UInt64 = 0
        var digits = 0
        for (offset, byte) in text.utf8.enumerated() {
            if [8, 13, 18, 23].contains(offset) {
                guard byte == UInt8(ascii: "-") else { return nil }
                continue
            }
            let value: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): value = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): value = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): value = byte - UInt8(ascii: "A") + 10
            default: return nil
            }
            if digits < 16 { high = high << 4 | UInt64(value) } else { low = low << 4 | UInt64(value) }
            digits += 1
        }
        return digits == 32 && text.utf8.count == 36 ? Bits(high: high, low: low) : nil
    }
}
