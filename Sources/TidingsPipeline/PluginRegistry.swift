import EntitiesPlugin
import EventsPlugin
import TidingsPluginKit
import TonePlugin

/// The built-in plugins: this list is the only place that names them. To add one, write a
/// target under `plugins/<name>/` that imports only TidingsPluginKit (and TidingsCore), add it
/// to Package.swift, and put its type here.
public enum PluginRegistry {
    public static let builtIn: [any Extractor.Type] = [
        EntityExtractor.self,
        EventCoder.self,
        ToneAnalyzer.self,
    ]
}
