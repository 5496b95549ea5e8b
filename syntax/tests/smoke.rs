use vez_syntax::{parse_file, FileId};

#[test]
fn corpus_parses() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/conformance");
    let mut n = 0;
    for dir in ["pass", "fail", "pass/multi"] {
        for e in std::fs::read_dir(root.join(dir)).unwrap() {
            let p = e.unwrap().path();
            if p.extension().is_some_and(|x| x == "zari") {
                let text = std::fs::read_to_string(&p).unwrap();
                let (_, diags) = parse_file(&text, FileId(0));
                let name = p.file_name().unwrap().to_string_lossy().to_string();
                if name == "parse_error.zari" {
                    assert!(!diags.is_empty());
                } else {
                    assert!(diags.is_empty(), "{name}: {:?}", diags.iter().map(|d| (&d.message, d.span)).collect::<Vec<_>>());
                }
                n += 1;
            }
        }
    }
    assert!(n > 40);
}
