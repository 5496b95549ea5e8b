//! The key of an item's proof: SHA-256 (the digest of Bazel's remote cache and Remote
//! Execution protocols) over a canonical serialisation of everything the verdict depends on.
//!
//! The serialised form is the item's verification conditions, not its source: they are
//! generated from the item's typed MIR and specifications, the contracts (never the bodies)
//! of the functions it calls, the bodies of the pure functions its specifications use, and
//! the definitions of the types involved, and they are exactly what the solver is asked.
//! They hold no source positions and no interned ids, so a comment, whitespace or an
//! unrelated item changes no key; a callee's contract changes its callers' keys and its body
//! does not (verification is modular). Added to them: the item's name, VeZ's version, the
//! solver's name and version, and every option that changes a verdict.

use sha2::{Digest, Sha256};
use vez_vcgen::FnVc;

/// What, besides the item itself, a verdict depends on.
#[derive(Clone, Debug)]
pub struct KeyContext {
    pub vez_version: String,
    /// The solver and its version (`z3 4.8.12`).
    pub solver: String,
    /// Every option that can change a verdict, canonically written (`seed=0 rlimit=0 ...`).
    pub options: String,
}

/// Lower-case hex SHA-256 of some bytes.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A SHA-256 over tagged, length-prefixed parts, so that no two different sequences of parts
/// serialise alike.
struct Canonical {
    h: Sha256,
    buf: String,
}

impl Canonical {
    fn new(domain: &str) -> Canonical {
        let mut c = Canonical {
            h: Sha256::new(),
            buf: String::new(),
        };
        c.part("domain", domain);
        c
    }

    fn part(&mut self, tag: &str, text: &str) {
        self.h.update(format!("{tag}:{}:", text.len()).as_bytes());
        self.h.update(text.as_bytes());
        self.h.update(b"\n");
    }

    /// A term, printed as SMT-LIB into a reused buffer.
    fn term(&mut self, tag: &str, t: &vez_vcgen::term::T) {
        let mut buf = std::mem::take(&mut self.buf);
        buf.clear();
        t.write_smt(&mut buf);
        self.part(tag, &buf);
        self.buf = buf;
    }

    fn finish(self) -> String {
        hex(&self.h.finalize())
    }
}

/// The key of one item's proof.
pub fn item_key(ctx: &KeyContext, vc: &FnVc) -> String {
    let mut c = Canonical::new("vez-proof-key/1");
    c.part("vez", &ctx.vez_version);
    c.part("solver", &ctx.solver);
    c.part("options", &ctx.options);
    c.part("item", &vc.name);
    for d in &vc.decls {
        c.part("decl", d);
    }
    for a in &vc.axioms {
        c.term("axiom", a);
    }
    for a in &vc.assumptions {
        c.term("assume", a);
    }
    for ob in &vc.obligations {
        c.part("obligation", ob.kind);
        c.part("prefix", &ob.prefix.to_string());
        c.term("goal", &ob.goal);
        for x in &ob.cex {
            c.part("cex", &x.name);
            c.part("sort", &x.sort.smt());
            c.part("shown-if", &format!("{:?}", x.shown_if_below));
            if x.is_char {
                c.part("char", "");
            }
            c.term("value", &x.term);
        }
    }
    for (_, what) in &vc.unsupported {
        c.part("unsupported", what);
    }
    c.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sha256_of_the_empty_string() {
        assert_eq!(
            sha256_hex(b""),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
    }

    #[test]
    fn parts_are_unambiguous() {
        let key = |parts: &[&str]| {
            let mut c = Canonical::new("t");
            for p in parts {
                c.part("p", p);
            }
            c.finish()
        };
        assert_ne!(key(&["ab", "c"]), key(&["a", "bc"]));
        assert_ne!(key(&["a"]), key(&["a", ""]));
        assert_eq!(key(&["a", "b"]), key(&["a", "b"]));
    }
}
