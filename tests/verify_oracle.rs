//! Oracle test of the verifier: random straight-line and branching functions over `u8` or
//! `i8` (wrapping arithmetic, bitwise operations, shifts, division by constants, `if`) end in
//! an `assert!`. Evaluating the function on all 65,536 inputs decides whether the assertion
//! always holds; `vez verify` must agree, and every counterexample it reports must really
//! violate the assertion.

use proptest::prelude::*;
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};
use serde_json::Value;
use std::process::Command;

#[derive(Clone, Debug)]
enum E {
    X,
    Y,
    A,
    B,
    Lit(i64),
    Wrap(&'static str, Box<E>, Box<E>),
    Bit(&'static str, Box<E>, Box<E>),
    Shr(Box<E>, u32),
    Shl(Box<E>, u32),
    Div(Box<E>, i64),
}

#[derive(Clone, Debug)]
enum C {
    Cmp(&'static str, E, E),
    Not(Box<C>),
}

#[derive(Clone, Debug)]
struct Prog {
    signed: bool,
    a: E,
    cond: C,
    then: E,
    els: E,
    check: C,
}

fn ty(signed: bool) -> &'static str {
    if signed {
        "i8"
    } else {
        "u8"
    }
}

fn show(e: &E, s: bool) -> String {
    match e {
        E::X => "x".into(),
        E::Y => "y".into(),
        E::A => "a".into(),
        E::B => "b".into(),
        E::Lit(n) if *n < 0 && s => format!("(-{}{})", -n, ty(s)),
        E::Lit(n) => format!("{}{}", n.abs(), ty(s)),
        E::Wrap(op, a, b) => format!("({}).wrapping_{op}({})", show(a, s), show(b, s)),
        E::Bit(op, a, b) => format!("({} {op} {})", show(a, s), show(b, s)),
        E::Shr(a, k) => format!("({} >> {k})", show(a, s)),
        E::Shl(a, k) => format!("({} << {k})", show(a, s)),
        E::Div(a, k) => format!("({} / {k})", show(a, s)),
    }
}

fn show_c(c: &C, s: bool) -> String {
    match c {
        C::Cmp(op, a, b) => format!("{} {op} {}", show(a, s), show(b, s)),
        C::Not(c) => format!("!({})", show_c(c, s)),
    }
}

fn source(p: &Prog) -> String {
    let t = ty(p.signed);
    format!(
        "fn f(x: {t}, y: {t}) {{\n    let a: {t} = {};\n    let b: {t} = if {} {{ {} }} else {{ {} }};\n    assert!({});\n}}\n",
        show(&p.a, p.signed),
        show_c(&p.cond, p.signed),
        show(&p.then, p.signed),
        show(&p.els, p.signed),
        show_c(&p.check, p.signed),
    )
}

/// Values as i64, wrapped to the type after every operation.
fn wrap(v: i64, signed: bool) -> i64 {
    if signed {
        v as i8 as i64
    } else {
        v as u8 as i64
    }
}

fn eval(e: &E, v: [i64; 4], s: bool) -> i64 {
    let r = match e {
        E::X => v[0],
        E::Y => v[1],
        E::A => v[2],
        E::B => v[3],
        E::Lit(n) if s => *n,
        E::Lit(n) => n.abs(),
        E::Wrap(op, l, r) => {
            let (l, r) = (eval(l, v, s), eval(r, v, s));
            match *op {
                "add" => l + r,
                "sub" => l - r,
                _ => l * r,
            }
        }
        E::Bit(op, l, r) => {
            let (l, r) = (eval(l, v, s), eval(r, v, s));
            match *op {
                "&" => l & r,
                "|" => l | r,
                _ => l ^ r,
            }
        }
        E::Shr(l, k) => eval(l, v, s) >> k,
        E::Shl(l, k) => eval(l, v, s) << k,
        E::Div(l, k) => eval(l, v, s) / k,
    };
    wrap(r, s)
}

fn eval_c(c: &C, v: [i64; 4], s: bool) -> bool {
    match c {
        C::Cmp(op, l, r) => {
            let (l, r) = (eval(l, v, s), eval(r, v, s));
            match *op {
                "<" => l < r,
                "<=" => l <= r,
                "==" => l == r,
                _ => l != r,
            }
        }
        C::Not(c) => !eval_c(c, v, s),
    }
}

/// Whether the assertion holds for inputs x, y.
fn holds(p: &Prog, x: i64, y: i64) -> bool {
    let a = eval(&p.a, [x, y, 0, 0], p.signed);
    let env = [x, y, a, 0];
    let b = if eval_c(&p.cond, env, p.signed) {
        eval(&p.then, env, p.signed)
    } else {
        eval(&p.els, env, p.signed)
    };
    eval_c(&p.check, [x, y, a, b], p.signed)
}

/// Leaves: the inputs, constants, and the locals defined so far (`level` of them).
fn leaf(level: u8) -> BoxedStrategy<E> {
    let mut v = vec![
        Just(E::X).boxed(),
        Just(E::Y).boxed(),
        (-127i64..=127).prop_map(E::Lit).boxed(),
    ];
    if level >= 1 {
        v.push(Just(E::A).boxed());
    }
    if level >= 2 {
        v.push(Just(E::B).boxed());
    }
    proptest::strategy::Union::new(v).boxed()
}

fn expr(level: u8) -> BoxedStrategy<E> {
    leaf(level)
        .prop_recursive(2, 6, 2, |inner| {
            prop_oneof![
                (
                    prop_oneof![Just("add"), Just("sub"), Just("mul")],
                    inner.clone(),
                    inner.clone()
                )
                    .prop_map(|(o, a, b)| E::Wrap(o, Box::new(a), Box::new(b))),
                (
                    prop_oneof![Just("&"), Just("|"), Just("^")],
                    inner.clone(),
                    inner.clone()
                )
                    .prop_map(|(o, a, b)| E::Bit(o, Box::new(a), Box::new(b))),
                (inner.clone(), 0u32..8).prop_map(|(a, k)| E::Shr(Box::new(a), k)),
                (inner.clone(), 0u32..8).prop_map(|(a, k)| E::Shl(Box::new(a), k)),
                (inner, 1i64..10).prop_map(|(a, k)| E::Div(Box::new(a), k)),
            ]
        })
        .boxed()
}

fn cond(level: u8) -> BoxedStrategy<C> {
    let cmp = (
        prop_oneof![Just("<"), Just("<="), Just("=="), Just("!=")],
        expr(level),
        expr(level),
    )
        .prop_map(|(o, a, b)| C::Cmp(o, a, b));
    prop_oneof![cmp.clone(), cmp.prop_map(|c| C::Not(Box::new(c)))].boxed()
}

/// `e == e'` where `e'` is `e` rewritten by an identity the solver must see through.
fn identity_check() -> BoxedStrategy<C> {
    (expr(2), 0u8..6)
        .prop_map(|(e, k)| {
            let b = Box::new(e.clone());
            let same = match k {
                0 => E::Bit("^", b, Box::new(E::Lit(0))),
                1 => E::Bit("&", b.clone(), b),
                2 => E::Wrap("add", b, Box::new(E::Lit(0))),
                3 => E::Shl(b, 0),
                4 => E::Div(b, 1),
                _ => E::Wrap("mul", b, Box::new(E::Lit(1))),
            };
            C::Cmp("==", e, same)
        })
        .boxed()
}

fn prog() -> impl Strategy<Value = Prog> {
    let check = prop_oneof![cond(2), identity_check()];
    (any::<bool>(), expr(0), cond(1), expr(1), expr(1), check).prop_map(
        |(signed, a, cond, then, els, check)| Prog {
            signed,
            a,
            cond,
            then,
            els,
            check,
        },
    )
}

#[test]
fn verdicts_agree_with_exhaustive_evaluation() {
    let dir = std::env::temp_dir().join(format!("vez-oracle-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let mut runner = TestRunner::new_with_rng(
        Config {
            cases: 40,
            failure_persistence: None,
            ..Config::default()
        },
        TestRng::from_seed(RngAlgorithm::ChaCha, &[7; 32]),
    );
    let (proved, refuted, unknown) = (
        std::cell::Cell::new(0),
        std::cell::Cell::new(0),
        std::cell::Cell::new(0),
    );
    let result = runner.run(&prog(), |p| {
        let text = source(&p);
        let file = dir.join("f.zari");
        std::fs::write(&file, &text).unwrap();
        let out = Command::new(env!("CARGO_BIN_EXE_vez"))
            .args(["verify", "--no-cache", "--format", "json", "--timeout", "3"])
            .arg(&file)
            .output()
            .unwrap();
        let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
        let lo = if p.signed { -128 } else { 0 };
        let hi = if p.signed { 127 } else { 255 };
        let always = (lo..=hi).all(|x| (lo..=hi).all(|y| holds(&p, x, y)));
        let asserts: Vec<&Value> = doc["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|d| d["kind"] == "assert")
            .collect();
        let others: Vec<&Value> = doc["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|d| d["kind"] != "assert")
            .collect();
        prop_assert!(
            others.is_empty(),
            "unexpected diagnostics {others:?} for\n{text}"
        );
        if asserts.iter().any(|d| d["status"] == "unknown") {
            // No verdict (the solver gave up): never a wrong one, but counted below.
            prop_assert_eq!(out.status.code(), Some(1));
            unknown.set(unknown.get() + 1);
            return Ok(());
        }
        if always {
            prop_assert!(
                asserts.is_empty(),
                "verifier refuted a valid assertion:\n{text}\n{asserts:?}"
            );
            prop_assert_eq!(out.status.code(), Some(0));
            proved.set(proved.get() + 1);
        } else {
            prop_assert_eq!(
                asserts.len(),
                1,
                "verifier missed a failing assertion:\n{}",
                text
            );
            let d = asserts[0];
            prop_assert_eq!(d["status"].as_str(), Some("failed"), "{}", text);
            let x = d["counterexample"]["x"].as_i64();
            let y = d["counterexample"]["y"].as_i64();
            prop_assert!(
                x.is_some() && y.is_some(),
                "no counterexample values in {d}"
            );
            let (x, y) = (x.unwrap(), y.unwrap());
            prop_assert!(
                !holds(&p, x, y),
                "counterexample x = {x}, y = {y} satisfies the assertion:\n{text}"
            );
            refuted.set(refuted.get() + 1);
        }
        Ok(())
    });
    let _ = std::fs::remove_dir_all(&dir);
    if let Err(e) = result {
        panic!("{e}");
    }
    let (proved, refuted, unknown) = (proved.get(), refuted.get(), unknown.get());
    println!("{proved} assertions proved, {refuted} refuted with a checked counterexample, {unknown} unknown");
    assert!(
        unknown * 5 <= proved + refuted,
        "too many unknown verdicts: {unknown}"
    );
    assert!(
        proved > 0 && refuted > 0,
        "the generator should produce both kinds"
    );
}
