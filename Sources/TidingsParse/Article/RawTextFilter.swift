/// Empties the contents of `<script>` and `<style>` elements before libxml2 reads a page.
///
/// The article reader never looks inside them, yet they are nearly half the bytes of a news
/// page (12.4 of the 27.1 MB of the benchmark's 181 pages), and libxml2 reads raw text one
/// character at a time. The elements stay, empty, so the tree has the same shape.
/// JSON-LD (`<script type="application/ld+json">`) keeps its contents: it is metadata.
///
/// The scan follows libxml2's HTML parser (with HTML_PARSE_RECOVER): a start tag ends at the
/// first `>` outside a quoted attribute value (so `<div title="<script>">` starts no
/// script); a script's or style's contents end at the first `</` followed by its name in any
/// case; comments (`<!-- … -->`) are passed over whole, so a tag inside one is not one.
enum RawTextFilter {
    static func emptyingScriptsAndStyles(_ bytes: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        bytes.withUnsafeBufferPointer { input in
            let count = input.count
            var copied = 0  // bytes before this are in `out`
            var index = 0
            while let at = HTMLEntities.firstIndex(of: 0x3C, in: input, from: index) {  // "<"
                index = at
                if index + 3 < count, input[index + 1] == 0x21, input[index + 2] == 0x2D, input[index + 3] == 0x2D {  // "<!--"
                    index = HTMLEntities.contains(bytes, commentEnd, from: index + 4).map { $0 + commentEnd.count } ?? count
                    continue
                }
                guard index + 1 < count, isLetter(input[index + 1]) else {
                    index += 1
                    continue
                }
                // A start tag: its attributes are passed over whole.
                guard let open = endOfTag(in: input, from: index + 1) else { break }
                guard let name = rawTextElement(in: input, at: index + 1) else {
                    index = open + 1
                    continue
                }
                let contentStart = open + 1
                let closing = closingTag(name, in: input, from: contentStart) ?? count
                if name == script && isJSONLD(input[(index + 1 + name.count)..<open]) {
                    index = closing
                    continue
                }
                out.append(contentsOf: input[copied..<contentStart])
                copied = closing
                index = closing
            }
            out.append(contentsOf: input[copied..<count])
        }
        return out
    }

    static func isLetter(_ byte: UInt8) -> Bool { (byte | 0x20) >= 0x61 && (byte | 0x20) <= 0x7A }

    /// The `>` that ends the start tag whose name begins at `from`: the first one outside a
    /// quoted attribute value (a quote opens a value only after `=`).
    static func endOfTag(in input: UnsafeBufferPointer<UInt8>, from: Int) -> Int? {
        var index = from
        var afterEquals = false
        while index < input.count {
            let byte = input[index]
            switch byte {
            case 0x3E:  // ">"
                return index
            case 0x3D:  // "="
                afterEquals = true
            case 0x22 where afterEquals, 0x27 where afterEquals:  // a quoted value
                guard let close = HTMLEntities.firstIndex(of: byte, in: input, from: index + 1) else { return nil }
                index = close
                afterEquals = false
            case 0x20, 0x09, 0x0A, 0x0D, 0x0C:
                break
            default:
                afterEquals = false
            }
            index += 1
        }
        return nil
    }

    static let script: [UInt8] = Array("script".utf8)
    static let commentEnd: [UInt8] = Array("-->".utf8)
    static let style: [UInt8] = Array("style".utf8)

    /// "script" or "style" if a start tag of one begins at `at` (just after "<").
    static func rawTextElement(in input: UnsafeBufferPointer<UInt8>, at: Int) -> [UInt8]? {
        for name in [script, style] where matches(name, in: input, at: at) {
            let after = at + name.count
            guard after < input.count else { return nil }
            let next = input[after]
            // "<script>", "<script src=…>", "<style/>"; not "<scripts>" or "<style-x>".
            if next == 0x3E || next == 0x2F || next == 0x20 || next == 0x09 || next == 0x0A || next == 0x0D || next == 0x0C { return name }
            return nil
        }
        return nil
    }

    /// Whether `name` (lower case) is at `at`, in any case.
    static func matches(_ name: [UInt8], in input: UnsafeBufferPointer<UInt8>, at: Int) -> Bool {
        guard at + name.count <= input.count else { return false }
        for (offset, letter) in name.enumerated() where input[at + offset] | 0x20 != letter { return false }
        return true
    }

    /// Where `</name` begins, from `from` on.
    static func closingTag(_ name: [UInt8], in input: UnsafeBufferPointer<UInt8>, from: Int) -> Int? {
        var index = from
        while let at = HTMLEntities.firstIndex(of: 0x3C, in: input, from: index) {
            if at + 1 < input.count, input[at + 1] == 0x2F, matches(name, in: input, at: at + 2) { return at }
            index = at + 1
        }
        return nil
    }

    /// Whether a script's attributes say JSON-LD.
    static func isJSONLD(_ attributes: Slice<UnsafeBufferPointer<UInt8>>) -> Bool {
        let wanted = Array("ld+json".utf8)
        guard attributes.count >= wanted.count else { return false }
        var index = attributes.startIndex
        while index + wanted.count <= attributes.endIndex {
            if (0..<wanted.count).allSatisfy({ attributes[index + $0] | 0x20 == wanted[$0] | 0x20 }) { return true }
            index += 1
        }
        return false
    }
}
