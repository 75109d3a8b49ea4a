import QuickstepJSON

/// What every execution of one state machine shares: its ARN and name, the role, region and account, and the
/// start of its executions' ARNs. One object per machine (per run for ``Program/run(input:handlers:options:)``),
/// so an execution carries one reference.
final class MachineIdentity: Sendable {
    let stateMachineArn: String
    let stateMachineName: String
    let roleArn: String
    let region: String
    let account: String
    /// `arn:aws:states:REGION:ACCOUNT:express:NAME:` (engine) or `...:execution:NAME:` (a single run).
    let executionArnPrefix: String

    init(stateMachineName: String, region: String, account: String, executionKind: String) {
        stateMachineArn = "arn:aws:states:\(region):\(account):stateMachine:\(stateMachineName)"
        self.stateMachineName = stateMachineName
        roleArn = "arn:aws:iam::\(account):role/quickstep"
        self.region = region
        self.account = account
        executionArnPrefix = "arn:aws:states:\(region):\(account):\(executionKind):\(stateMachineName):"
    }
}

/// Who an execution is, as the context object (`$$`) and DescribeExecution tell it: its machine, its name, its
/// id, its input and when it started.
///
/// The ARN is not stored but spelled when asked for: an execution's name and id are 128-bit UUIDs unless the name was
/// given, because a parked execution should cost as little memory as possible (the ARN's text was 160 bytes of the
/// 1.5 KB a parked execution took). Even those bits are not stored but computed when asked for (an ARN, a
/// DescribeExecution, `$$.Execution`) from the seed and sequence they come from (``UUIDv4/pair(seed:stream:position:)``):
/// most executions are never asked, and the four mixes per start were 74 of pass_chain_10's 3,000 instructions.
struct ExecutionIdentity: Sendable {
    /// Not retained: kept alive by the run's ``RunResources`` (the run holds its identity). Kept as an `Unmanaged`
    /// reference: storing an `unowned(unsafe)` one retained the machine and released it again, per start.
    private let unmanagedMachine: Unmanaged<MachineIdentity>
    var machine: MachineIdentity { unmanagedMachine.takeUnretainedValue() }
    /// The name the caller gave, else nil: the name is then the text of ``nameBits``.
    let givenName: String?
    /// Where the name and id bits come from (``UUIDv4/nameBits(seed:sequence:)``, ``UUIDv4/idBits(seed:sequence:)``).
    private let bitsSeed: UInt64
    private let bitsSequence: UInt64
    /// Whether the execution has an id (engine executions); a standalone run's ARN has none.
    private let hasId: Bool
    var nameBits: UUIDv4.Bits { UUIDv4.nameBits(seed: bitsSeed, sequence: bitsSequence) }
    /// The id that ends an Express execution's ARN (`...:express:MACHINE:NAME:ID`); nil for `...:execution:` ARNs.
    var id: UUIDv4.Bits? { hasId ? UUIDv4.idBits(seed: bitsSeed, sequence: bitsSequence) : nil }
    var input: JSONValue
    /// When the execution started, in nanoseconds since the epoch (on its host's clock).
    let startNanoseconds: Int64
    /// When the execution started, in milliseconds since the epoch.
    var startTime: Int64 { startNanoseconds / 1_000_000 }

    /// A standalone run's identity (``Program/run(input:handlers:options:)``): an `...:execution:` ARN, no id.
    init(machine: MachineIdentity, name: String?, input: JSONValue, startNanoseconds: Int64) {
        unmanagedMachine = Unmanaged.passUnretained(machine)
        givenName = name
        (bitsSeed, bitsSequence) = UUIDv4.randomSource()
        hasId = false
        self.input = input
        self.startNanoseconds = startNanoseconds
    }

    /// An engine execution's identity, its id (and its name when none is given) from sequence `sequence` of the ids
    /// that `seed` makes (``UUIDv4/sequence(stream:position:)``).
    init(machine: Unmanaged<MachineIdentity>, name: String?, seed: UInt64, sequence: UInt64, input: JSONValue,
         startNanoseconds: Int64) {
        unmanagedMachine = machine
        givenName = name
        bitsSeed = seed
        bitsSequence = sequence
        hasId = true
        self.input = input
        self.startNanoseconds = startNanoseconds
    }

    var executionName: String { givenName ?? UUIDv4.text(nameBits) }

    var executionArn: String {
        guard givenName == nil, let id else {
            var arn = machine.executionArnPrefix + executionName
            if let id {
                arn += ":"
                arn += UUIDv4.text(id)
            }
            return arn
        }
        // The usual case (a generated name and an id), spelled in one pass into one allocation: every
        // startExecution returns it (concatenating the parts was 9 % of pass_chain_10's time).
        var prefix = machine.executionArnPrefix
        return prefix.withUTF8 { prefix in
            let length = prefix.count + 2 * UUIDv4.textLength + 1
            return String(unsafeUninitializedCapacity: length) { buffer in
                _ = UnsafeMutableRawBufferPointer(buffer).initializeMemory(as: UInt8.self, from: prefix)
                UUIDv4.write(nameBits, into: buffer, at: prefix.count)
                buffer[prefix.count + UUIDv4.textLength] = UInt8(ascii: ":")
                UUIDv4.write(id, into: buffer, at: prefix.count + UUIDv4.textLength + 1)
                return length
            }
        }
    }

    var stateMachineArn: String { machine.stateMachineArn }
    var stateMachineName: String { machine.stateMachineName }
    var roleArn: String { machine.roleArn }
    var region: String { machine.region }
    var account: String { machine.account }
}

enum ContextObject {
    /// Builds `$$` for a state: Execution, State, StateMachine, and (when given) Task and Map.
    static func value(
        identity: ExecutionIdentity, stateName: String, enteredTime: Int64, retryCount: Int?,
        taskToken: String?, mapItem: (index: Int, value: JSONValue)?
    ) -> JSONValue {
        var object: JSONObject = [
            "Execution": [
                "Id": .string(identity.executionArn), "Input": identity.input, "Name": .string(identity.executionName),
                "RoleArn": .string(identity.roleArn), "StartTime": .string(Timestamps.iso8601(milliseconds: identity.startTime)),
                "RedriveCount": 0,
            ],
            "State": [
                "EnteredTime": .string(Timestamps.iso8601(milliseconds: enteredTime)), "Name": .string(stateName),
            ],
            "StateMachine": ["Id": .string(identity.stateMachineArn), "Name": .string(identity.stateMachineName)],
        ]
        if let retryCount, case .object(var state)? = object["State"] {
            state["RetryCount"] = .int(Int64(retryCount))
            object["State"] = .object(state)
        }
        if let taskToken { object["Task"] = ["Token": .string(taskToken)] }
        if let mapItem { object["Map"] = ["Item": ["Index": .int(Int64(mapItem.index)), "Value": mapItem.value]] }
        return .object(object)
    }
}

/// ISO 8601 timestamps as AWS writes them in the context object: `2019-03-26T20:14:13.192Z`.
enum Timestamps {
    static func iso8601(milliseconds: Int64) -> String {
        let seconds = milliseconds.floorDivided(by: 1000)
        let millis = Int(milliseconds - seconds * 1000)
        let days = Int(seconds.floorDivided(by: 86_400))
        let secondOfDay = Int(seconds - Int64(days) * 86_400)
        // Howard Hinnant's civil_from_days.
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
        let month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        func pad(_ value: Int, _ width: Int) -> String {
            let text = String(value)
            return String(repeating: "0", count: max(0, width - text.count)) + text
        }
        return "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))T\(pad(secondOfDay / 3600, 2)):\(pad(secondOfDay / 60 % 60, 2)):"
            + "\(pad(secondOfDay % 60, 2)).\(pad(millis, 3))Z"
    }
}

extension Int64 {
    func floorDivided(by divisor: Int64) -> Int64 {
        let quotient = self / divisor
        return (self % divisor != 0 && (self < 0) != (divisor < 0)) ? quotient - 1 : quotient
    }
}
