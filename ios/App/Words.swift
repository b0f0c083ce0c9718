// The core reports codes; the words are the app's, in {en,zh-Hans,zh-Hant}.lproj/
// Localizable.strings (scripts/check_strings.py keeps the three complete and covering every
// code the bindings export). A code's key is its prefix and its case name in snake case
// (`SaleHint.waitingForNetwork` → `hint_waiting_for_network`), as on Android.
import Foundation
import TillKitCore

/// The localised string for `key`, formatted with `args`.
func L(_ key: String, _ args: CVarArg...) -> String {
    let format = NSLocalizedString(key, comment: "")
    return args.isEmpty ? format : String(format: format, arguments: args)
}

/// `waitingForNetwork` or `TillKitCore.TillKitError.UnknownSale(id: "x")` → `waiting_for_network`
/// / `unknown_sale`: the case name, whatever the value's own description says (errors describe
/// themselves with the Rust text).
func caseKey(_ value: Any) -> String {
    let reflected = String(reflecting: value)
    let head = reflected.prefix { $0 != "(" }
    let name = head.split(separator: ".").last.map(String.init) ?? String(head)
    var key = ""
    for (i, c) in name.enumerated() {
        if c.isUppercase && i > 0 { key.append("_") }
        key.append(contentsOf: c.lowercased())
    }
    return key
}

enum Words {
    static func hint(_ hint: SaleHint) -> String { L("hint_" + caseKey(hint)) }
    static func next(_ step: NextStep) -> String { L("next_" + caseKey(step)) }
    static func refund(_ state: RefundState) -> String { L("refund_" + caseKey(state)) }
    static func terminal(_ status: TerminalStatus) -> String { L("terminal_status_" + caseKey(status)) }
    static func scan(_ outcome: ScanOutcome) -> String { L("scan_" + caseKey(outcome)) }

    static func attention(_ reason: AttentionReason) -> String {
        if case let .answerMismatch(field) = reason { return L("attention_answer_mismatch", field) }
        return L("attention_" + caseKey(reason))
    }

    /// A failure in the cashier's words: a TillKit error by its case, anything else by its text.
    static func error(_ error: Error) -> String {
        guard let e = error as? TillKitError else { return L("error_other", error.localizedDescription) }
        switch e {
        case let .InvalidInput(field, _): return L("error_invalid_input", field)
        case let .InvalidConfig(field, _): return L("error_invalid_config", field)
        case let .Reader(fault, _): return L("reader_fault_" + caseKey(fault))
        case let .Printer(fault, _): return L("printer_fault_" + caseKey(fault))
        default:
            let key = "error_" + caseKey(e)
            let text = L(key)
            return text == key ? L("error_other", "\(e)") : text
        }
    }
}
