import QuickstepJSON
import QuickstepLanguage

extension Program {
    /// The program as text, one instruction per line with its operands resolved, for reading and review:
    ///
    /// ```
    /// 0000  enterState      ValidateOrder (Task)
    /// 0001  invokeTask      arn:aws:lambda:us-east-1:123456789012:function:ValidateOrder
    /// ```
    public func disassembly() -> String {
        var lines: [String] = []
        let stateStarts = Dictionary(uniqueKeysWithValues: tables.states.map { ($0.entryPC, $0) })
        for (pc, instruction) in instructions.enumerated() {
            if let state = stateStarts[pc] {
                var header = "; state \(state.name)"
                if !state.retriers.isEmpty { header += ", retry \(state.retriers.map { $0.errorEquals.joined(separator: "|") })" }
                if !state.catchers.isEmpty {
                    header += ", catch " + state.catchers.map { "\($0.errorEquals.joined(separator: "|")) -> \(Self.address($0.handlerPC))" }
                        .joined(separator: ", ")
                }
                lines.append(header)
            }
            let (name, operand) = describe(instruction)
            let padded = name + String(repeating: " ", count: max(1, 16 - name.count))
            lines.append("\(Self.address(pc))  \(padded)\(operand)")
        }
        return lines.joined(separator: "\n")
    }

    private static func address(_ pc: Int) -> String {
        let digits = String(pc)
        return String(repeating: "0", count: max(0, 4 - digits.count)) + digits
    }

    private func describe(_ instruction: Instruction) -> (String, String) {
        switch instruction {
        case .enterState(let index): return ("enterState", "\(tables.states[index].name) (\(tables.states[index].typeName))")
        case .passThrough(let index, let next):
            return ("passThrough", "\(tables.states[Int(index)].name) (\(tables.states[Int(index)].typeName)) -> \(Self.address(Int(next)))")
        case .passThroughToEnd(let index):
            return ("passThroughToEnd", "\(tables.states[index].name) (\(tables.states[index].typeName))")
        case .passChain(let index):
            let chain = tables.passChains[Int(index)]
            return ("passChain", "\(tables.states[Int(chain.first)].name) .. \(tables.states[Int(chain.last)].name) (\(chain.count) states) -> \(Self.address(Int(chain.exit)))")
        case .mergingPass(let index):
            let pass = tables.mergingPasses[Int(index)]
            return ("mergingPass", "\(tables.states[Int(pass.state)].name) (\(tables.states[Int(pass.state)].typeName)) -> \(Self.address(Int(pass.next)))")
        case .choiceState(let index, let choice):
            return ("choiceState", "\(tables.states[Int(index)].name) (\(tables.states[Int(index)].typeName)) choice \(choice)")
        case .inputPath(let index): return ("inputPath", tables.paths[index].text)
        case .inputPathFromRawInput(let index): return ("inputPathFromRawInput", tables.paths[index].text)
        case .inputNull: return ("inputNull", "")
        case .parameters(let index): return ("parameters", Self.describe(tables.templates[index].template))
        case .parametersFromRawInput(let index):
            return ("parametersFromRawInput", Self.describe(tables.templates[index].template))
        case .passResult(let index): return ("passResult", tables.constants[index].compactText)
        case .invokeTask(let index): return ("invokeTask", tables.tasks[index].resource.arn)
        case .resultSelector(let index): return ("resultSelector", Self.describe(tables.templates[index].template))
        case .assign(let index): return ("assign", Self.describe(tables.assignments[index].template))
        case .resultPath(let index): return ("resultPath", tables.paths[index].text)
        case .resultPathInPlace(let index): return ("resultPathInPlace", tables.paths[index].text)
        case .resultPathNull: return ("resultPathNull", "")
        case .outputPath(let index): return ("outputPath", tables.paths[index].text)
        case .outputNull: return ("outputNull", "")
        case .exitState: return ("exitState", "")
        case .exitStateAndJump(let target): return ("exitStateAndJump", Self.address(target))
        case .jump(let target): return ("jump", Self.address(target))
        case .endGraph: return ("endGraph", "")
        case .choose(let index):
            let choice = tables.choices[index]
            var targets = choice.targets.map(Self.address)
            if let defaultTarget = choice.defaultTarget { targets.append("default " + Self.address(defaultTarget)) }
            return ("choose", "\(choice.rules.count) rules -> " + targets.joined(separator: ", "))
        case .jumpToChosen: return ("jumpToChosen", "")
        case .wait(let index):
            switch tables.waits[index] {
            case .seconds(let value): return ("wait", "seconds \(Self.describe(value))")
            case .timestamp(let value): return ("wait", "until \(Self.describe(value))")
            }
        case .fail(let index):
            let fail = tables.fails[index]
            return ("fail", "error \(fail.error.map(Self.describe) ?? "-"), cause \(fail.cause.map(Self.describe) ?? "-")")
        case .parallel(let index): return ("parallel", "branches at " + tables.parallels[index].branchEntries.map(Self.address).joined(separator: ", "))
        case .map(let index):
            let map = tables.maps[index]
            return ("map", "items \(map.itemsPath.text), processor at \(Self.address(map.processorEntry))")
        case .unsupported(let index): return ("unsupported", tables.messages[index])
        }
    }

    private static func describe<T>(_ value: DynamicValue<T>) -> String {
        switch value {
        case .constant(let constant): "\(constant)"
        case .path(let path): path.text
        case .intrinsic(let call): call.text
        case .expression(let text): "{%\(text)%}"
        }
    }

    private static func describe(_ template: PayloadTemplate) -> String {
        switch template {
        case .constant(let value): return value.compactText
        case .path(let path): return path.text
        case .intrinsic(let call): return call.text
        case .array(let elements): return "[" + elements.map(describe).joined(separator: ",") + "]"
        case .object(let members):
            return "{" + members.map { "\"\($0.key)\"\($0.value.isDynamicSlot ? ".$" : ""):\(describe($0.value))" }.joined(separator: ",") + "}"
        }
    }
}
