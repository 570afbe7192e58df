import Dispatch
import CTidingsSys
import Foundation
import TidingsCore

/// Shared by the offline commands: read stdin lines, work in parallel, write in input order.
enum JSONLines {
    /// Batch tuning for the offline commands: feeds and pages of a few hundred KB would otherwise
    /// each get fresh pages from mmap (and their page faults) for every copy made of them.
    static func tuneAllocator() {
        tidings_tune_malloc(64 << 20, 128 << 20, 0)
    }

    /// Standard input's non-blank lines, as bytes.
    static func read() -> [[UInt8]] {
        let data = FileHandle.standardInput.readDataToEndOfFile()
        return data.withUnsafeBytes { raw in
            let bytes = raw.bindMemory(to: UInt8.self)
            var lines: [[UInt8]] = []
            var start = 0
            for index in 0...bytes.count where index == bytes.count || bytes[index] == 0x0A {
                let line = UnsafeBufferPointer(rebasing: bytes[start..<index])
                start = index + 1
                // Blank lines (spaces, tabs, CR) are skipped.
                if line.contains(where: { $0 != 0x20 && $0 != 0x09 && $0 != 0x0D }) { lines.append(Array(line)) }
            }
            return lines
        }
    }

    static func process<Input: Sendable, Output: JSONLineEncodable & SendableMetatype>(_ inputs: [Input], _ work: @Sendable (Input) -> Output) {
        // Chunks bound the memory held; each chunk is written on a serial queue while the next
        // one is being worked on.
        let chunk = 8192
        let writer = DispatchQueue(label: "tidings.jsonl.writer")
        var start = 0
        while start < inputs.count {
            let slice = Array(inputs[start..<min(start + chunk, inputs.count)])
            let results = Slots<[UInt8]>(count: slice.count, empty: [])
            DispatchQueue.concurrentPerform(iterations: slice.count) { index in
                var json = JSONWriter()
                work(slice[index]).write(to: &json)
                json.newline()
                results.set(index, json.bytes)
            }
            writer.async {
                var out = [UInt8]()
                for bytes in results.all { out.append(contentsOf: bytes) }
                FileHandle.standardOutput.write(Data(out))
            }
            start += chunk
        }
        writer.sync {}
    }
}

/// A value that writes itself as one JSON object (no newline).
protocol JSONLineEncodable {
    func write(to json: inout JSONWriter)
}
