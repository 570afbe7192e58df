import ArgumentParser
import Foundation
import TidingsCore
import TidingsPipeline
import TidingsPluginKit
import TonePlugin

/// `tidingsd train-tone`: learns the tone plugin's target model from labelled sentences.
struct TrainTone: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train-tone",
        abstract: "Learn the tone plugin's model of tone toward a target from labelled sentences.",
        discussion: """
            Input: JSON lines {"text", "target": {"start", "end"}, "polarity": -1|0|1, "split"?} (NewsMTSC's \
            format; offsets in code points). Only lines whose split is --split are used (all lines when \
            they have none). Writes the model (plugins/tone/data/target_model.txt) to --output or stdout.
            """)

    @Option(help: "Labelled sentences, JSON lines.") var input: String
    @Option(help: "Use only the lines of this split.") var split = "train"
    @Option(help: "Passes over the data.") var epochs = 12
    @Option(help: "Where to write the model (default: standard output).") var output: String?

    func validate() throws {
        guard (1...200).contains(epochs) else { throw ValidationError("--epochs is 1 to 200") }
    }

    func run() throws {
        guard let bytes = FileBytes.read(input) else { throw ValidationError("cannot read \(input)") }
        var examples: [TargetModelTrainer.Example] = []
        for (number, line) in bytes.split(separator: 0x0A, omittingEmptySubsequences: false).enumerated() where !line.isEmpty {
            let json: JSON
            do { json = try JSON.parse(Array(line)) } catch { throw ValidationError("\(input):\(number + 1): not JSON: \(error)") }
            if let wanted = json["split"]?.string, wanted != split { continue }
            func whole(_ value: Double?, in range: ClosedRange<Double>) -> Int? {
                guard let value, value == value.rounded(), range.contains(value) else { return nil }
                return Int(value)
            }
            let limit = Double(Int32.max)
            guard let text = json["text"]?.string, let start = whole(json["target"]?["start"]?.number, in: 0...limit),
                let end = whole(json["target"]?["end"]?.number, in: 0...limit), end > start, let polarity = whole(json["polarity"]?.number, in: -1...1)
            else { throw ValidationError("\(input):\(number + 1): expected text, target.start < target.end (whole numbers) and polarity -1, 0 or 1") }
            examples.append(.init(text: text, start: start, end: end, polarity: polarity))
        }
        guard !examples.isEmpty else { throw ValidationError("no examples of split \(split) in \(input)") }
        let configuration = PluginConfiguration(plugin: "tone", dataDirectories: PluginSet.dataDirectories(for: "tone"))
        let analyzer = try ToneAnalyzer(configuration: configuration)
        let model = TargetModelTrainer.train(examples, analyzer: analyzer, epochs: epochs)
        if let output {
            try Data(model.utf8).write(to: URL(fileURLWithPath: output), options: .atomic)
            FileHandle.standardError.write(Data("tidingsd: learned from \(examples.count) sentences, wrote \(output)\n".utf8))
        } else {
            FileHandle.standardOutput.write(Data(model.utf8))
        }
    }
}
