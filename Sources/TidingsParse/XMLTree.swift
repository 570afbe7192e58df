import CXML
import Foundation
import Synchronization

/// A read-only view of one libxml2 node. Valid only while its ``XMLDocument`` lives.
struct XMLNode {
    let pointer: xmlNodePtr

    var isElement: Bool { pointer.pointee.type == XML_ELEMENT_NODE }
    var isText: Bool { pointer.pointee.type == XML_TEXT_NODE || pointer.pointee.type == XML_CDATA_SECTION_NODE }

    /// The local name, lowercased (`content:encoded` → `encoded`, with ``namespace``).
    var name: String {
        guard let raw = pointer.pointee.name else { return "" }
        // Most names are lowercase already: lowercasing only when needed saves a copy per call.
        var index = 0
        var upper = false
        while raw[index] != 0 {
            if raw[index] >= 65 && raw[index] <= 90 { upper = true; break }
            index += 1
        }
        let text = String(cString: raw)
        return upper ? text.lowercased() : text
    }

    /// The namespace URI, if any.
    var namespace: String? { pointer.pointee.ns?.pointee.href.map { String(cString: $0) } }

    /// The namespace prefix, if any (`dc`, `content`).
    var prefix: String? { pointer.pointee.ns?.pointee.prefix.map { String(cString: $0) } }

    var children: [XMLNode] { Array(childNodes) }

    var elements: [XMLNode] { children.filter(\.isElement) }

    /// The children, read one by one from libxml2's list (no array is made).
    var childNodes: ChildNodes { ChildNodes(upcoming: pointer.pointee.children) }

    struct ChildNodes: Sequence, IteratorProtocol {
        var upcoming: xmlNodePtr?

        mutating func next() -> XMLNode? {
            guard let node = upcoming else { return nil }
            upcoming = node.pointee.next
            return XMLNode(pointer: node)
        }
    }

    var parent: XMLNode? {
        guard let up = pointer.pointee.parent, up.pointee.type == XML_ELEMENT_NODE else { return nil }
        return XMLNode(pointer: up)
    }

    /// The concatenated text and CDATA of the node and its descendants. Entity references
    /// are not expanded (libxml2's `xmlNodeGetContent` would, recursively: a "billion laughs"
    /// feed could exhaust memory); the predefined entities are already text.
    var text: String {
        if isText { return content }
        var out = ""
        var stack = children.reversed() as [XMLNode]
        while let node = stack.popLast() {
            if node.isText {
                out += node.content
            } else if node.isElement {
                stack.append(contentsOf: node.children.reversed())
            }
        }
        return out
    }

    /// Length in characters (UTF-8 code points, close enough for densities) of a text node.
    var contentLength: Int {
        guard let content = pointer.pointee.content else { return 0 }
        return xmlUTF8Strlen(content).clamped()
    }

    /// Raw text of a text or CDATA node.
    var content: String { pointer.pointee.content.map { String(cString: $0) } ?? "" }

    /// The effective base URI (xml:base chain, then the document's URL).
    var base: String? {
        guard let doc = pointer.pointee.doc, let raw = xmlNodeGetBase(doc, pointer) else { return nil }
        defer { tidings_xml_free(raw) }
        return String(cString: raw)
    }

    /// The inherited xml:lang, if any.
    var language: String? {
        guard let raw = xmlNodeGetLang(pointer) else { return nil }
        defer { tidings_xml_free(raw) }
        let value = String(cString: raw)
        return value.isEmpty ? nil : value
    }

    /// The node's children serialized as XML (for inline XHTML content).
    var innerXML: String {
        guard let buffer = xmlBufferCreate() else { return "" }
        defer { xmlBufferFree(buffer) }
        for child in children { xmlNodeDump(buffer, pointer.pointee.doc, child.pointer, 0, 0) }
        guard let content = xmlBufferContent(buffer) else { return "" }
        return String(cString: content)
    }

    /// An attribute in a namespace (e.g. rdf:about), by namespace URI.
    func attribute(_ name: String, namespace: String) -> String? {
        guard let raw = xmlGetNsProp(pointer, name, namespace) else { return nil }
        defer { tidings_xml_free(raw) }
        return String(cString: raw)
    }

    func attribute(_ name: String) -> String? {
        guard let raw = xmlGetProp(pointer, name) else { return nil }
        defer { tidings_xml_free(raw) }
        return String(cString: raw)
    }
}

/// Parser contexts kept for reuse: setting one up costs about as much as reading a small feed.
/// A context is retired after a number of documents, so its name dictionary (shared with the
/// documents it reads) cannot grow without bound in a long-running daemon.
final class XMLParserContexts: Sendable {
    static let shared = XMLParserContexts()

    /// A context lent to one parse: whoever holds the lease owns the context until it is
    /// checked in again. The pool keeps addresses (plain integers) under its lock.
    struct Lease {
        let pointer: xmlParserCtxtPtr
        var uses: Int
    }

    private let idle = Mutex<[(address: Int, uses: Int)]>([])
    private let maxIdle = 16
    private let maxUses = 1_000

    func checkOut() -> Lease? {
        if let parked = idle.withLock({ $0.popLast() }), let pointer = xmlParserCtxtPtr(bitPattern: parked.address) {
            return Lease(pointer: pointer, uses: parked.uses)
        }
        return xmlNewParserCtxt().map { Lease(pointer: $0, uses: 0) }
    }

    /// Takes a context back, or frees it when it has read enough documents (its name
    /// dictionary grows with them) or the pool is full.
    func checkIn(_ lease: Lease) {
        let uses = lease.uses + 1
        let address = Int(bitPattern: lease.pointer)
        let kept = uses < maxUses && idle.withLock { idle in
            guard idle.count < maxIdle else { return false }
            idle.append((address: address, uses: uses))
            return true
        }
        if !kept { xmlFreeParserCtxt(lease.pointer) }
    }
}

/// Owns a libxml2 document and frees it.
final class XMLDocument {
    let pointer: xmlDocPtr

    /// Parses XML leniently: recovers what it can, never touches the network, never expands
    /// external entities (XXE), and caps nothing here (the fetcher caps the body size).
    init?(xml bytes: [UInt8], url: String?, encoding: String? = nil) {
        XMLDocument.initialize
        guard bytes.count < Int(Int32.max) else { return nil }
        let options = Int32(XML_PARSE_RECOVER.rawValue | XML_PARSE_NONET.rawValue | XML_PARSE_NOERROR.rawValue
                | XML_PARSE_NOWARNING.rawValue | XML_PARSE_NOCDATA.rawValue)
        xmlResetLastError()
        let context = XMLParserContexts.shared.checkOut()
        let doc = bytes.withUnsafeBufferPointer { buffer in
            buffer.baseAddress.flatMap { base in
                base.withMemoryRebound(to: CChar.self, capacity: buffer.count) { text in
                    context.map { xmlCtxtReadMemory($0.pointer, text, Int32(buffer.count), url, encoding, options) }
                        ?? xmlReadMemory(text, Int32(buffer.count), url, encoding, options)
                }
            }
        }
        if let context { XMLParserContexts.shared.checkIn(context) }
        // The error libxml2 recovered from, if any (its errors are per thread).
        if let error = xmlGetLastError(), error.pointee.level.rawValue >= XML_ERR_ERROR.rawValue {
            let message = error.pointee.message.map { String(cString: $0).trimmedWhitespace() } ?? "error"
            recoveredError = "malformed XML at line \(error.pointee.line): \(message)"
        }
        xmlResetLastError()
        guard let doc else { return nil }
        pointer = doc
    }

    /// What libxml2 had to recover from while reading (XML only).
    private(set) var recoveredError: String?

    /// Parses HTML (as libxml2's HTML parser does: lenient, implied tags).
    init?(html bytes: [UInt8], url: String?, encoding: String? = "UTF-8") {
        XMLDocument.initialize
        guard bytes.count < Int(Int32.max) else { return nil }
        let options = Int32(HTML_PARSE_RECOVER.rawValue | HTML_PARSE_NONET.rawValue | HTML_PARSE_NOERROR.rawValue
                | HTML_PARSE_NOWARNING.rawValue)
        let doc = bytes.withUnsafeBufferPointer { buffer in
            buffer.baseAddress.flatMap { base in
                base.withMemoryRebound(to: CChar.self, capacity: buffer.count) {
                    htmlReadMemory($0, Int32(buffer.count), url, encoding, options)
                }
            }
        }
        guard let doc else { return nil }
        pointer = doc
    }

    deinit { xmlFreeDoc(pointer) }

    /// libxml2 2.9's lazy global initialisation is not thread-safe: do it once, first.
    static let initialize: Void = { xmlInitParser() }()

    var root: XMLNode? { xmlDocGetRootElement(pointer).map(XMLNode.init(pointer:)) }
}

extension Int32 {
    fileprivate func clamped() -> Int { Int(Swift.max(self, 0)) }
}
