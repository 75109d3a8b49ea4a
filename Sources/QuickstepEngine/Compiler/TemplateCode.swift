import QuickstepJSON
import QuickstepLanguage

/// A payload template (Parameters, ResultSelector, ItemSelector, Assign) or an intrinsic call compiled for
/// evaluation in place: every part is a pointer into memory the code owns.
///
/// ``PayloadTemplate`` is the definition's model: an enum whose paths, calls and lists are payloads with reference
/// counts, kept in the payloads' spare bits, so a part could only be read by binding it, a copy: a path's text
/// and segments, a call's arguments and text, each retained and released on every evaluation (eight such pairs
/// for `{"i.$": "States.MathAdd($.i, 1)"}`, a fifth of its cost). Here every case's payload is a pointer or a
/// buffer, a plain value, so binding one copies a word or two and touches no reference count.
///
/// Made once per program (``Program``) and freed with it (``deallocate()``); a value-taking entry point that must
/// evaluate a template of its own makes one and frees it after (``Execution/evaluate(_:data:field:)``).
enum TemplateCode {
    case constant(UnsafeMutablePointer<JSONValue>)
    /// An object's members in order; keys are final (the `.$` already removed).
    case object(UnsafeMutableBufferPointer<Member>)
    case array(UnsafeMutableBufferPointer<TemplateCode>)
    case path(UnsafeMutablePointer<JSONPath>)
    /// A path of the shape `$.name` on the effective input, looked up as a Choice test looks its variable up
    /// (``MemberTest``): a walk of the path's one step took 120 instructions.
    case member(UnsafeMutablePointer<MemberPath>)
    case call(UnsafeMutablePointer<Call>)

    /// A `$.name` path and its member (``member(_:)``).
    struct MemberPath {
        let path: JSONPath
        let member: MemberTest

        /// The path of the member path at `memberPath`, where it lies (for a miss's error).
        static func path(of memberPath: UnsafePointer<MemberPath>) -> UnsafePointer<JSONPath> {
            UnsafeRawPointer(memberPath).advanced(by: MemoryLayout<MemberPath>.offset(of: \.path)!).assumingMemoryBound(to: JSONPath.self)
        }

        /// The member test of the member path at `memberPath`, where it lies.
        static func member(of memberPath: UnsafePointer<MemberPath>) -> UnsafePointer<MemberTest> {
            UnsafeRawPointer(memberPath).advanced(by: MemoryLayout<MemberPath>.offset(of: \.member)!).assumingMemoryBound(to: MemberTest.self)
        }
    }

    /// The code of a path: `member` for `$.name`, `path` otherwise.
    static func reading(_ path: JSONPath) -> TemplateCode {
        let member = MemberTest(path)
        guard member.isMember else { return .path(.owned(path)) }
        return .member(.owned(MemberPath(path: path, member: member)))
    }

    /// One member of an object template.
    struct Member {
        let key: String
        let code: TemplateCode
        /// Whether the member was `key.$` (a path or a call), which an error cause names with its `.$`.
        let isDynamicSlot: Bool
    }

    /// An intrinsic call: the function and its `States.Format` template, read from `call`, and its arguments as
    /// code (literals as constants).
    struct Call {
        let call: IntrinsicCall
        let arguments: UnsafeMutableBufferPointer<TemplateCode>
    }

    init(_ template: PayloadTemplate) {
        switch template {
        case .constant(let value):
            self = .constant(.owned(value))
        case .object(let members):
            self = .object(.owned(copying: members.map { member in
                Member(key: member.key, code: TemplateCode(member.value), isDynamicSlot: member.value.isDynamicSlot)
            }))
        case .array(let elements):
            self = .array(.owned(copying: elements.map(TemplateCode.init)))
        case .path(let path):
            self = .reading(path)
        case .intrinsic(let call):
            self = TemplateCode(call)
        }
    }

    init(_ call: IntrinsicCall) {
        let arguments = call.arguments.map { argument -> TemplateCode in
            switch argument {
            case .literal(let value): .constant(.owned(value))
            case .path(let path): .reading(path)
            case .call(let inner): TemplateCode(inner)
            }
        }
        self = .call(.owned(Call(call: call, arguments: .owned(copying: arguments))))
    }

    /// Frees the code and everything in it; called once, by its owner.
    func deallocate() {
        switch self {
        case .constant(let value): value.freeOwned()
        case .object(let members):
            for member in members { member.code.deallocate() }
            members.freeOwned()
        case .array(let elements):
            for element in elements { element.deallocate() }
            elements.freeOwned()
        case .path(let path): path.freeOwned()
        case .member(let member):
            member.freeOwned()
        case .call(let call):
            for argument in call.pointee.arguments { argument.deallocate() }
            call.pointee.arguments.freeOwned()
            call.freeOwned()
        }
    }
}

extension PayloadTemplate {
    /// Whether this is the value of a `key.$` member (a path or a call), as opposed to a nested literal part.
    var isDynamicSlot: Bool {
        switch self {
        case .path, .intrinsic: true
        default: false
        }
    }
}
