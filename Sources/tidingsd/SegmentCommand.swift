import ArgumentParser
import Dispatch
import Foundation
import TidingsCore
import TidingsPluginKit

/// `tidingsd segment`: the shared sentence and token splitter, for debugging and measuring.
struct Segment: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Split text files into sentences (one per line), or measure the splitter's speed.")

    @Argument(help: "Text files.")
    var files: [String]

    @Flag(help: "Print tokens too, as start-end:text.")
    var tokens = false

    @Flag(help: "Segment the files repeatedly for a few seconds and print MB/s instead.")
    var bench = false

    func run() throws {
        let texts = try files.map { file -> String in
            guard let bytes = FileBytes.read(file) else { throw ValidationError("cannot read \(file)") }
            return String(decoding: bytes, as: UTF8.self)
        }
        if bench {
            let bytes = texts.reduce(0) { $0 + $1.utf8.count }
            var rounds = 0
            var sentences = 0
            let start = DispatchTime.now().uptimeNanoseconds
            var elapsed = 0.0
            repeat {
                for text in texts { sentences += Segmenter.segment(text).sentences.count }
                rounds += 1
                elapsed = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
            } while elapsed < 3
            let megabytes = Double(bytes * rounds) / 1e6
            print(String(format: "%.1f MB/s (%d rounds of %d bytes, %d sentences each round, one thread)", megabytes / elapsed, rounds, bytes, sentences / rounds))
            return
        }
        for text in texts {
            let document = AnalyzedDocument(text: text)
            for sentence in document.sentences {
                print(document.text(sentence.start, sentence.end))
                if tokens {
                    print("  " + document.tokens[sentence.tokens].map { "\($0.start)-\($0.end):\(document.text(of: $0))" }.joined(separator: " "))
                }
            }
        }
    }
}
