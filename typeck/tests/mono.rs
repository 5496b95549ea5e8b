//! Monomorphisation: the instances reachable from `main` have concrete generic arguments, and
//! calls through a trait bound resolve to the implementing method.

use vez_syntax::{loader, SourceMap};
use vez_typeck::{check_program, mono};

fn instances(src: &str) -> Vec<String> {
    let mut sources = SourceMap::new();
    let prelude_src = vez_stdlib::prelude_source();
    let (prelude, d1) = loader::parse_text("<prelude>", &prelude_src, &mut sources);
    let (items, d2) = loader::parse_text("test.zari", src, &mut sources);
    assert!(d1.is_empty() && d2.is_empty());
    let (program, diags) = check_program(&prelude, &items);
    assert!(
        diags.is_empty(),
        "{:?}",
        diags.iter().map(|d| &d.message).collect::<Vec<_>>()
    );
    let main = program.main.expect("main");
    let mut out: Vec<String> = mono::collect(&program, &[main])
        .unwrap()
        .into_iter()
        .map(|i| {
            let args: Vec<String> = i.args.iter().map(|t| program.ty_name(t)).collect();
            format!("{}<{}>", program.func(i.func).name, args.join(", "))
        })
        .collect();
    out.sort();
    out
}

#[test]
fn generic_functions_get_one_instance_per_argument_list() {
    let got = instances(
        "fn id<T>(x: T) -> T { x }
         fn first<T: Copy>(v: &[T]) -> T { v[0] }
         struct Pair<T> { a: T, b: T }
         impl<T: Copy> Pair<T> { fn swapped(&self) -> Pair<T> { Pair { a: self.b, b: self.a } } }
         fn main() {
             let xs = [1u8, 2];
             let a = first(&xs);
             let b = id(a);
             let c = id(true);
             let p = Pair { a: 1i64, b: 2i64 }.swapped();
         }",
    );
    for want in [
        "main<>",
        "first<u8>",
        "id<u8>",
        "id<bool>",
        "Pair::swapped<i64>",
    ] {
        assert!(got.iter().any(|g| g == want), "missing {want} in {got:?}");
    }
    assert!(
        !got.iter().any(|g| g.contains('T')),
        "an instance kept a type parameter: {got:?}"
    );
}

#[test]
fn trait_calls_resolve_to_the_implementation() {
    let got = instances(
        "trait Area { fn area(&self) -> u64; }
         struct Sq(u64);
         struct Rect { w: u64, h: u64 }
         impl Area for Sq { fn area(&self) -> u64 { self.0 * self.0 } }
         impl Area for Rect { fn area(&self) -> u64 { self.w * self.h } }
         fn total<T: Area>(x: &T) -> u64 { x.area() }
         fn main() { let a = total(&Sq(2)); let b = total(&Rect { w: 1, h: 2 }); }",
    );
    for want in ["total<Sq>", "total<Rect>", "Sq::area<>", "Rect::area<>"] {
        assert!(got.iter().any(|g| g == want), "missing {want} in {got:?}");
    }
    assert!(
        !got.iter().any(|g| g.starts_with("Area::")),
        "trait declaration left unresolved: {got:?}"
    );
}

#[test]
fn polymorphic_recursion_is_reported() {
    let mut sources = SourceMap::new();
    let prelude_src = vez_stdlib::prelude_source();
    let (prelude, _) = loader::parse_text("<prelude>", &prelude_src, &mut sources);
    let (items, _) = loader::parse_text(
        "t.zari",
        "fn grow<T: Copy>(x: T, n: u32) -> u32 { if n == 0 { 0 } else { grow((x, x), n - 1) } }
         fn main() { let r = grow(1u8, 3); }",
        &mut sources,
    );
    let (program, diags) = check_program(&prelude, &items);
    assert!(diags.is_empty());
    let err = mono::collect(&program, &[program.main.unwrap()]).unwrap_err();
    assert!(err.contains("recursion limit"), "{err}");
}
