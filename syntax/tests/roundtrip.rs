//! Parse, print, parse again: the two ASTs must be equal (spans aside), for every corpus
//! file and every front-end ui test. And the lexer and parser never panic on any input.

use proptest::prelude::*;
use std::path::{Path, PathBuf};
use vez_syntax::{parse_file, printer::print_items, FileId};

/// The AST's Debug text with every `Span { .. }` removed.
fn without_spans(debug: &str) -> String {
    let mut out = String::with_capacity(debug.len());
    let mut rest = debug;
    while let Some(i) = rest.find("Span {") {
        out.push_str(&rest[..i]);
        let after = &rest[i..];
        let end = after.find('}').expect("span debug closes");
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    out
}

fn zari_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            zari_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "zari") {
            out.push(p);
        }
    }
}

#[test]
fn print_then_parse_gives_the_same_ast() {
    let here = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    zari_files(&here.join("../../shared/conformance"), &mut files);
    zari_files(&here.join("../tests/ui"), &mut files);
    zari_files(&here.join("../examples"), &mut files);
    zari_files(&here.join("../stdlib"), &mut files);
    let mut checked = 0;
    for path in &files {
        let text = std::fs::read_to_string(path).unwrap();
        let (items, diags) = parse_file(&text, FileId(0));
        if !diags.is_empty() {
            continue; // files with syntax errors are the parse ui tests
        }
        let printed = print_items(&items);
        let (again, diags2) = parse_file(&printed, FileId(0));
        assert!(
            diags2.is_empty(),
            "{}: printed text does not parse: {:?}\n{printed}",
            path.display(),
            diags2.iter().map(|d| &d.message).collect::<Vec<_>>()
        );
        assert_eq!(
            without_spans(&format!("{items:?}")),
            without_spans(&format!("{again:?}")),
            "{}: AST changed through printing:\n{printed}",
            path.display()
        );
        checked += 1;
    }
    assert!(checked >= 40, "only {checked} files round-tripped");
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn parser_never_panics_on_arbitrary_text(s in "\\PC{0,200}") {
        let _ = parse_file(&s, FileId(0));
    }

    #[test]
    fn parser_never_panics_on_token_soup(toks in proptest::collection::vec(prop::sample::select(vec![
        "fn", "f", "(", ")", "{", "}", "[", "]", "<", ">", ">>", "<<<", ">>>", "::", ":", ";", ",", "=",
        "==>", "<==>", "#[", "#[trigger]", "requires", "x", "1", "1u8", "0x", "'a", "'a'", "\"s", "\"s\"",
        "/*", "*/", "//", "\n", "let", "mut", "if", "else", "match", "=>", "|", "||", "&", "&&", "-", "!",
        "as", "for", "in", "..", "..=", "while", "loop", "struct", "enum", "impl", "mod", "use", "*", "?",
    ]), 0..60)) {
        let _ = parse_file(&toks.join(" "), FileId(0));
        let _ = parse_file(&toks.concat(), FileId(0));
    }
}
