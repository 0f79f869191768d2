/// The page's static files, kept as Swift strings so `gui` serves them from its own binary.
enum PageAssets {
    /// ES modules by file name, served at `/static/NAME`.
    static let scripts: [(String, String)] = [
        ("app.js", appJS), ("chart.js", chartJS), ("api.js", apiJS), ("monitor.js", monitorJS),
    ]
}
