//! A seeded generator of random programs in the common subset of Rust and VeZ: integer
//! arithmetic (plain, wrapping and checked), casts, loops, arrays, structs, enums, match,
//! functions, Vec and printing. Plain arithmetic, division and indexing may fail at run time
//! on purpose: both compilers must then panic (exit 101) after the same output.

/// splitmix64: small, fast and good enough to pick program shapes.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ 0xD1B5_4A32_D192_ED03)
    }
    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
    pub fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
    pub fn pick<'a, T>(&mut self, xs: &'a [T]) -> &'a T {
        &xs[self.below(xs.len() as u64) as usize]
    }
}

const INTS: [&str; 6] = ["i32", "i64", "u8", "u32", "u64", "i8"];

fn bits(t: &str) -> u32 {
    t.trim_start_matches(['i', 'u']).parse().unwrap_or(64)
}

fn signed(t: &str) -> bool {
    t.starts_with('i')
}

struct Func {
    name: String,
    params: Vec<&'static str>,
    ret: &'static str,
}

struct Gen {
    rng: Rng,
    funcs: Vec<Func>,
    out: String,
    /// Variables in scope: name, type, mutable.
    vars: Vec<(String, String, bool)>,
    fresh: u32,
    indent: usize,
    /// Loop nesting (bounded, so that programs finish quickly).
    loops: u32,
}

/// A program: the same text compiles as Rust and as VeZ.
pub fn program(seed: u64) -> String {
    let mut g = Gen {
        rng: Rng::new(seed),
        funcs: Vec::new(),
        out: String::new(),
        vars: Vec::new(),
        fresh: 0,
        indent: 0,
        loops: 0,
    };
    g.out.push_str(
        "#[derive(Clone, Copy, Debug, PartialEq)]\nstruct Pt {\n    x: i32,\n    y: u8,\n}\n\n\
         #[derive(Clone, Copy, Debug, PartialEq)]\nenum Sh {\n    Dot,\n    Len(u32),\n    Box { w: i64, h: i64 },\n}\n\n",
    );
    let nf = 1 + g.rng.below(4);
    for i in 0..nf {
        g.function(i as usize);
    }
    g.main();
    g.out
}

impl Gen {
    fn line(&mut self, s: &str) {
        for _ in 0..self.indent {
            self.out.push_str("    ");
        }
        self.out.push_str(s);
        self.out.push('\n');
    }

    fn name(&mut self, prefix: &str) -> String {
        self.fresh += 1;
        format!("{prefix}{}", self.fresh)
    }

    fn lit(&mut self, t: &str) -> String {
        let b = bits(t);
        let max: i128 = if signed(t) {
            (1i128 << (b - 1)) - 1
        } else {
            (1i128 << b) - 1
        };
        let min: i128 = if signed(t) { -(1i128 << (b - 1)) } else { 0 };
        let v: i128 = match self.rng.below(40) {
            0 => max,
            1 => min,
            2 => max - self.rng.below(3) as i128,
            3..=9 => {
                let small = self.rng.below(200) as i128 - if signed(t) { 100 } else { 0 };
                small.clamp(min, max)
            }
            _ => {
                let small = self.rng.below(16) as i128 - if signed(t) { 5 } else { 0 };
                small.clamp(min, max)
            }
        };
        if v < 0 {
            format!("({v}{t})")
        } else {
            format!("{v}{t}")
        }
    }

    fn var_of(&mut self, t: &str) -> Option<String> {
        let cands: Vec<String> = self
            .vars
            .iter()
            .filter(|(_, vt, _)| vt == t)
            .map(|(n, _, _)| n.clone())
            .collect();
        if cands.is_empty() {
            None
        } else {
            Some(self.rng.pick(&cands).clone())
        }
    }

    /// An integer expression of type `t`.
    fn expr(&mut self, t: &'static str, depth: u32) -> String {
        if depth == 0 || self.rng.chance(25) {
            if self.rng.chance(60) {
                if let Some(v) = self.var_of(t) {
                    return v;
                }
            }
            return self.lit(t);
        }
        let d = depth - 1;
        match self.rng.below(16) {
            0 | 1 => {
                let op = *self.rng.pick(&["+", "-", "*"]);
                format!("({} {op} {})", self.expr(t, d), self.expr(t, d))
            }
            2..=4 => {
                let m = *self
                    .rng
                    .pick(&["wrapping_add", "wrapping_sub", "wrapping_mul"]);
                format!("{}.{m}({})", self.expr(t, d), self.expr(t, d))
            }
            5 => {
                // Division mostly by a divisor that cannot be zero, sometimes by anything.
                let op = *self.rng.pick(&["/", "%"]);
                let a = self.expr(t, d);
                if self.rng.chance(75) {
                    let k = 1 + self.rng.below(9);
                    format!("({a} {op} {k}{t})")
                } else {
                    format!("({a} {op} {})", self.expr(t, d))
                }
            }
            6 => {
                let op = *self.rng.pick(&["&", "|", "^"]);
                format!("({} {op} {})", self.expr(t, d), self.expr(t, d))
            }
            7 => {
                let op = *self.rng.pick(&["<<", ">>"]);
                let amt = self.expr("u32", d);
                format!("({} {op} ({amt} % {}))", self.expr(t, d), bits(t))
            }
            8 | 13 => {
                let from = *self.rng.pick(&INTS);
                format!("({} as {t})", self.expr(from, d))
            }
            9 | 14 => {
                let m = *self
                    .rng
                    .pick(&["checked_add", "checked_sub", "checked_mul"]);
                let dflt = self.lit(t);
                format!(
                    "{}.{m}({}).unwrap_or({dflt})",
                    self.expr(t, d),
                    self.expr(t, d)
                )
            }
            10 => {
                let c = self.cond(d);
                format!(
                    "(if {c} {{ {} }} else {{ {} }})",
                    self.expr(t, d),
                    self.expr(t, d)
                )
            }
            11 => {
                let cands: Vec<usize> = (0..self.funcs.len())
                    .filter(|i| self.funcs[*i].ret == t)
                    .collect();
                if cands.is_empty() {
                    return self.lit(t);
                }
                let i = *self.rng.pick(&cands);
                let params = self.funcs[i].params.clone();
                let args: Vec<String> = params.iter().map(|p| self.expr(p, d)).collect();
                format!("{}({})", self.funcs[i].name, args.join(", "))
            }
            _ => {
                let m = *self.rng.pick(&["min", "max"]);
                format!("{}.{m}({})", self.expr(t, d), self.expr(t, d))
            }
        }
    }

    fn cond(&mut self, depth: u32) -> String {
        let t = *self.rng.pick(&INTS);
        let op = *self.rng.pick(&["<", "<=", "==", "!=", ">", ">="]);
        format!("{} {op} {}", self.expr(t, depth), self.expr(t, depth))
    }

    fn block(&mut self, n: u64, depth: u32) {
        let saved = self.vars.len();
        self.indent += 1;
        for _ in 0..n {
            self.stmt(depth);
        }
        self.indent -= 1;
        self.vars.truncate(saved);
    }

    fn stmt(&mut self, depth: u32) {
        match self.rng.below(13) {
            0..=2 => {
                let t = *self.rng.pick(&INTS);
                let n = self.name("v");
                let e = self.expr(t, 3);
                self.line(&format!("let mut {n}: {t} = {e};"));
                self.vars.push((n, t.to_string(), true));
            }
            3 | 4 => {
                let muts: Vec<(String, String)> = self
                    .vars
                    .iter()
                    .filter(|(_, t, m)| *m && INTS.contains(&t.as_str()))
                    .map(|(n, t, _)| (n.clone(), t.clone()))
                    .collect();
                if muts.is_empty() {
                    return;
                }
                let (n, t) = self.rng.pick(&muts).clone();
                let t: &'static str = INTS.iter().find(|x| **x == t).copied().unwrap_or("i32");
                let op = *self.rng.pick(&["=", "+=", "-=", "^="]);
                let e = self.expr(t, 2);
                self.line(&format!("{n} {op} {e};"));
            }
            5 if depth > 0 && self.loops < 2 => {
                let i = self.name("i");
                let k = 1 + self.rng.below(6);
                self.line(&format!("let mut {i}: u32 = 0;"));
                self.line(&format!("while {i} < {k} {{"));
                self.loops += 1;
                self.vars.push((i.clone(), "u32".into(), false));
                let n = 1 + self.rng.below(3);
                self.block(n, depth - 1);
                self.indent += 1;
                self.line(&format!("{i} += 1;"));
                self.indent -= 1;
                self.loops -= 1;
                self.line("}");
            }
            6 if depth > 0 => {
                let c = self.cond(2);
                self.line(&format!("if {c} {{"));
                let n = 1 + self.rng.below(2);
                self.block(n, depth - 1);
                self.line("} else {");
                let n = 1 + self.rng.below(2);
                self.block(n, depth - 1);
                self.line("}");
            }
            7 => {
                let t = *self.rng.pick(&INTS);
                let e = self.expr(t, 3);
                let label = self.name("p");
                self.line(&format!("println!(\"{label} {{}}\", {e});"));
            }
            8 => {
                // Arrays: literal, indexing (possibly out of bounds), element update.
                let a = self.name("a");
                let es: Vec<String> = (0..4).map(|_| self.expr("i32", 1)).collect();
                self.line(&format!("let mut {a}: [i32; 4] = [{}];", es.join(", ")));
                let idx = if self.rng.chance(95) {
                    format!("({} % 4) as usize", self.expr("u32", 1))
                } else {
                    format!("{} as usize", self.expr("u8", 1))
                };
                let v = self.expr("i32", 2);
                self.line(&format!("{a}[{idx}] = {v};"));
                self.line(&format!("println!(\"{a} {{:?}} {{}}\", {a}, {a}[3]);"));
            }
            9 => {
                let v = self.name("w");
                let k = 1 + self.rng.below(5);
                self.line(&format!("let mut {v}: Vec<i64> = Vec::new();"));
                let i = self.name("j");
                self.line(&format!("let mut {i}: u64 = 0;"));
                self.line(&format!("while {i} < {k} {{"));
                self.indent += 1;
                let e = self.expr("i64", 2);
                self.line(&format!("{v}.push({e});"));
                self.line(&format!("{i} += 1;"));
                self.indent -= 1;
                self.line("}");
                let idx = if self.rng.chance(90) {
                    self.rng.below(k)
                } else {
                    k
                };
                self.line(&format!(
                    "println!(\"{v} {{}} {{:?}} {{}}\", {v}.len(), {v}, {v}[{idx}]);"
                ));
            }
            10 => {
                let p = self.name("s");
                let x = self.expr("i32", 2);
                let y = self.expr("u8", 2);
                self.line(&format!("let {p} = Pt {{ x: {x}, y: {y} }};"));
                let q = self.name("s");
                self.line(&format!(
                    "let {q} = Pt {{ x: {p}.x.wrapping_add(1), y: {p}.y }};"
                ));
                self.line(&format!(
                    "println!(\"{p} {{:?}} {{}} {{}}\", {p}, {p} == {q}, {q}.x);"
                ));
            }
            11 => self.float_sum(),
            _ => {
                let s = self.name("e");
                let ctor = match self.rng.below(3) {
                    0 => "Sh::Dot".to_string(),
                    1 => format!("Sh::Len({})", self.expr("u32", 2)),
                    _ => format!(
                        "Sh::Box {{ w: {}, h: {} }}",
                        self.expr("i64", 2),
                        self.expr("i64", 2)
                    ),
                };
                self.line(&format!("let {s} = {ctor};"));
                let r = self.name("m");
                self.line(&format!("let {r}: i64 = match {s} {{"));
                self.indent += 1;
                self.line("Sh::Dot => 0,");
                self.line("Sh::Len(n) => n as i64,");
                self.line("Sh::Box { w, h } => w.wrapping_mul(h),");
                self.indent -= 1;
                self.line("};");
                self.line(&format!("println!(\"{s} {{:?}} {{}}\", {s}, {r});"));
                self.vars.push((r, "i64".into(), false));
            }
        }
    }

    /// A float Vec filled from integer expressions, then folded by a loop (the kind LLVM
    /// vectorises with an ordered reduction: its result must be rustc's to the last bit),
    /// printed with `{}` and `{:?}`.
    fn float_sum(&mut self) {
        let ft = *self.rng.pick(&["f64", "f32"]);
        let (v, j, s) = (self.name("f"), self.name("j"), self.name("s"));
        let n = 1 + self.rng.below(40);
        let scale = *self.rng.pick(&["0.37", "1.5", "-2.25", "1e-3", "7.0"]);
        let div = *self.rng.pick(&["7.0", "3.0", "0.1", "1e10"]);
        self.line(&format!("let mut {v}: Vec<{ft}> = Vec::new();"));
        self.line(&format!("let mut {j}: u64 = 0;"));
        self.line(&format!("while {j} < {n} {{"));
        self.indent += 1;
        let e = self.expr("i32", 2);
        self.line(&format!(
            "{v}.push({e} as {ft} * {scale} + {j} as {ft} / {div});"
        ));
        self.line(&format!("{j} += 1;"));
        self.indent -= 1;
        self.line("}");
        let init = *self.rng.pick(&["0.0", "1.0", "-0.5"]);
        self.line(&format!("let mut {s}: {ft} = {init};"));
        if self.rng.chance(50) {
            let body = *self.rng.pick(&[
                "+= *x",
                "+= *x * *x",
                "-= *x / 3.0",
                "*= 1.0 + *x * 1e-3",
                "+= x.abs().sqrt()",
                "= {s}.max(*x)",
                "= {s} * 0.5 + *x",
            ]);
            self.line(&format!("for x in {v}.iter() {{"));
            self.indent += 1;
            self.line(&format!("{s} {};", body.replace("{s}", &s)));
        } else {
            let body = *self.rng.pick(&[
                "+= {v}[i] * (i as {ft} + 0.5)",
                "+= {v}[i] / (i as {ft} + 1.0)",
                "-= {v}[i] * {v}[{n} - 1 - i]",
            ]);
            self.line(&format!("for i in 0..{v}.len() {{"));
            self.indent += 1;
            let body = body
                .replace("{v}", &v)
                .replace("{ft}", ft)
                .replace("{n}", &n.to_string());
            self.line(&format!("{s} {body};"));
        }
        self.indent -= 1;
        self.line("}");
        self.line(&format!(
            "println!(\"{s} {{}} {{:?}} {{}}\", {s}, {s}, {v}.len());"
        ));
    }

    fn function(&mut self, i: usize) {
        let np = 1 + self.rng.below(3) as usize;
        let params: Vec<&'static str> = (0..np).map(|_| *self.rng.pick(&INTS)).collect();
        let ret = *self.rng.pick(&INTS);
        let name = format!("f{i}");
        let ps: Vec<String> = params
            .iter()
            .enumerate()
            .map(|(k, t)| format!("p{k}: {t}"))
            .collect();
        self.line(&format!("fn {name}({}) -> {ret} {{", ps.join(", ")));
        self.vars = params
            .iter()
            .enumerate()
            .map(|(k, t)| (format!("p{k}"), t.to_string(), false))
            .collect();
        self.indent += 1;
        for _ in 0..1 + self.rng.below(4) {
            self.stmt(2);
        }
        let e = self.expr(ret, 3);
        self.line(&e);
        self.indent -= 1;
        self.line("}\n");
        self.vars.clear();
        self.funcs.push(Func { name, params, ret });
    }

    fn main(&mut self) {
        self.line("fn main() {");
        self.indent += 1;
        for _ in 0..3 + self.rng.below(6) {
            self.stmt(2);
        }
        let t = *self.rng.pick(&INTS);
        let e = self.expr(t, 3);
        self.line(&format!("println!(\"end {{}}\", {e});"));
        self.indent -= 1;
        self.line("}");
    }
}
