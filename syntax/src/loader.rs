//! Loads a program: the root file and every `mod name;` it reaches. As LANGUAGE.md says,
//! `mod x;` in a file loads `x.zari` or `x/mod.zari` beside that file; the loaded items are
//! put into the `ModDecl`, so later stages see one tree.

use crate::ast::{Item, ItemKind};
use crate::diag::Diagnostic;
use crate::span::{SourceMap, Span};
use crate::{parse_file, FileId};
use std::path::{Path, PathBuf};

/// Reads and parses `path` and every module file it declares. Errors (unreadable files,
/// missing modules, cycles, syntax errors) are returned as diagnostics; what could be
/// loaded is returned too.
pub fn load_program(
    path: &Path,
    display: &str,
    sources: &mut SourceMap,
) -> Result<(Vec<Item>, Vec<Diagnostic>), String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read `{}`: {e}", path.display()))?;
    let file = sources.add(path, display.to_string(), text);
    let mut diags = Vec::new();
    let mut stack = vec![canonical(path)];
    let items = load_file(file, sources, &mut stack, &mut diags);
    Ok((items, diags))
}

/// Parses a source given as text (the prelude, tests) without module loading.
pub fn parse_text(name: &str, text: &str, sources: &mut SourceMap) -> (Vec<Item>, Vec<Diagnostic>) {
    let file = sources.add(Path::new(name), name.to_string(), text.to_string());
    parse_file(&sources.file(file).text, file)
}

fn canonical(p: &Path) -> PathBuf {
    p.canonicalize().unwrap_or_else(|_| p.to_path_buf())
}

fn load_file(
    file: FileId,
    sources: &mut SourceMap,
    stack: &mut Vec<PathBuf>,
    diags: &mut Vec<Diagnostic>,
) -> Vec<Item> {
    let (mut items, parse_diags) = parse_file(&sources.file(file).text, file);
    diags.extend(parse_diags);
    let dir = sources
        .file(file)
        .path
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default();
    let display_dir = Path::new(&sources.file(file).display)
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default();
    resolve_mods(&mut items, &dir, &display_dir, sources, stack, diags);
    items
}

fn resolve_mods(
    items: &mut [Item],
    dir: &Path,
    display_dir: &Path,
    sources: &mut SourceMap,
    stack: &mut Vec<PathBuf>,
    diags: &mut Vec<Diagnostic>,
) {
    for item in items.iter_mut() {
        let span = item.span;
        let ItemKind::Mod(m) = &mut item.kind else {
            continue;
        };
        if let Some(inner) = &mut m.items {
            // Inline `mod m { mod n; }` loads n beside this file, in folder m (as Rust does).
            let sub = dir.join(&m.name.name);
            let sub_display = display_dir.join(&m.name.name);
            resolve_mods(inner, &sub, &sub_display, sources, stack, diags);
            continue;
        }
        let name = &m.name.name;
        let candidates = [
            (
                dir.join(format!("{name}.zari")),
                display_dir.join(format!("{name}.zari")),
            ),
            (
                dir.join(name).join("mod.zari"),
                display_dir.join(name).join("mod.zari"),
            ),
        ];
        let Some((path, display)) = candidates.iter().find(|(p, _)| p.is_file()) else {
            diags.push(
                Diagnostic::error(
                    "E0583",
                    format!("file not found for module `{name}`"),
                    m.name.span,
                )
                .with_label("module declared here")
                .with_help(format!(
                    "to create the module `{name}`, create file \"{}\" or \"{}\"",
                    candidates[0].1.display(),
                    candidates[1].1.display()
                )),
            );
            m.items = Some(Vec::new());
            continue;
        };
        let key = canonical(path);
        if let Some(pos) = stack.iter().position(|p| *p == key) {
            let mut cycle: Vec<String> = stack[pos..]
                .iter()
                .map(|p| p.display().to_string())
                .collect();
            cycle.push(key.display().to_string());
            diags.push(
                Diagnostic::error(
                    "E0583",
                    format!("circular modules: {}", cycle.join(" -> ")),
                    span,
                )
                .with_label(format!(
                    "`mod {name};` loads a file that is already being loaded"
                )),
            );
            m.items = Some(Vec::new());
            continue;
        }
        let text = match std::fs::read_to_string(path) {
            Ok(t) => t,
            Err(e) => {
                diags.push(Diagnostic::error(
                    "E0583",
                    format!("cannot read module file `{}`: {e}", display.display()),
                    m.name.span,
                ));
                m.items = Some(Vec::new());
                continue;
            }
        };
        let file = sources.add(path, display.display().to_string(), text);
        stack.push(key);
        m.items = Some(load_file(file, sources, stack, diags));
        m.external = true;
        stack.pop();
    }
}

/// A span covering nothing, for diagnostics about a whole file.
pub fn file_start(file: FileId) -> Span {
    Span { file, lo: 0, hi: 0 }
}
