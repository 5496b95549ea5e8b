//! Solver backends: each obligation's SMT-LIB2 query is decided on its own solver
//! (isolated: every failing obligation is reported, not only the first), with a timeout, a
//! resource limit and a fixed random seed. A satisfiable query is a failed obligation; its
//! model gives the counterexample values, in source names. Timeouts, resource exhaustion,
//! incompleteness and malformed queries are `unknown`, never verified.
//!
//! Backends: Z3 in process through the `z3` crate (`z3_backend.rs`), and SMT-LIB2 solver
//! processes (z3, cvc5) through rsmt2 (`process.rs`), fed the same query text.

mod process;
mod z3_backend;

use std::sync::mpsc::{Receiver, Sender};
use std::sync::{Arc, Mutex};
use vez_vcgen::Query;

#[derive(Clone, Debug, PartialEq)]
pub enum CexValue {
    /// A decimal integer (any size).
    Int(String),
    Bool(bool),
    /// Any other value, as the solver prints it (enum values, values of generic types).
    Text(String),
}

#[derive(Clone, Debug, PartialEq)]
pub enum Verdict {
    Verified,
    Failed(Vec<(String, CexValue)>),
    Unknown(String),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    /// Z3 in this process.
    Z3,
    /// `z3 -in` as a child process.
    Z3Process,
    /// `cvc5` as a child process.
    Cvc5,
}

#[derive(Clone, Copy, Debug)]
pub struct Options {
    pub backend: Backend,
    pub timeout_ms: u32,
    pub rlimit: u32,
    pub seed: u32,
}

impl Default for Options {
    fn default() -> Options {
        Options {
            backend: Backend::Z3,
            timeout_ms: 10_000,
            rlimit: 0,
            seed: 0,
        }
    }
}

/// The number of `(assert` commands a query holds (a backend that parsed fewer saw a
/// malformed query and must not answer).
pub fn count_asserts(smt: &str) -> usize {
    smt.lines().filter(|l| l.starts_with("(assert ")).count()
}

/// Decides a function's queries in order, each verdict with its time in ms. With the
/// in-process backend they share one fresh Z3 context (deterministic: nothing outside these
/// queries influences the solver); the process backends start one solver per query.
pub fn check_all(queries: &[Query], opts: &Options) -> Vec<(Verdict, f64)> {
    let program = match opts.backend {
        Backend::Z3 => return z3_backend::check_all(queries, opts),
        Backend::Z3Process => process::Program::Z3,
        Backend::Cvc5 => process::Program::Cvc5,
    };
    queries
        .iter()
        .map(|q| timed(|| process::check(q, opts, program)))
        .collect()
}

/// A verdict with the milliseconds it took.
pub(crate) fn timed(f: impl FnOnce() -> Verdict) -> (Verdict, f64) {
    let t = std::time::Instant::now();
    let v = f();
    (v, t.elapsed().as_secs_f64() * 1000.0)
}

/// Solver threads that live for the whole run. Z3's first context on a thread costs about
/// 15 ms (it allocates and touches about 17 MB in that thread's malloc arena); later ones
/// on the same thread cost under 2 ms. So one worker starts at once and creates its context
/// while the front end runs; more start only when there are more functions to prove at once
/// (warming them all eagerly measured no faster on the corpus, and costs CPU). Each function
/// is still decided on a fresh context.
pub struct Pool {
    jobs: Option<Sender<Job>>,
    queue: Arc<Mutex<Receiver<Job>>>,
    workers: Mutex<Vec<std::thread::JoinHandle<()>>>,
    max_workers: usize,
}

/// A function's verdicts, each with its time in ms, and the batch's wall time in ms (fresh
/// context included).
pub type Batch = (Vec<(Verdict, f64)>, f64);

struct Job {
    queries: Vec<Query>,
    opts: Options,
    reply: Sender<Batch>,
}

impl Pool {
    pub fn new(threads: usize, opts: &Options) -> Pool {
        keep_freed_memory();
        let (tx, rx) = std::sync::mpsc::channel::<Job>();
        let queue = Arc::new(Mutex::new(rx));
        let first = spawn_worker(queue.clone(), opts.backend == Backend::Z3);
        Pool {
            jobs: Some(tx),
            queue,
            workers: Mutex::new(vec![first]),
            max_workers: threads.max(1),
        }
    }

    /// Decides each function's queries (one batch per function, in parallel across
    /// functions); the results in batch order.
    pub fn check_batches(&self, batches: Vec<Vec<Query>>, opts: &Options) -> Vec<Batch> {
        if let Ok(mut workers) = self.workers.lock() {
            let wanted = batches.len().min(self.max_workers);
            while workers.len() < wanted {
                workers.push(spawn_worker(self.queue.clone(), false));
            }
        }
        let mut replies = Vec::new();
        for queries in batches {
            let n = queries.len();
            let (reply, rx) = std::sync::mpsc::channel();
            let sent = self.jobs.as_ref().is_some_and(|tx| {
                tx.send(Job {
                    queries,
                    opts: *opts,
                    reply,
                })
                .is_ok()
            });
            replies.push((sent.then_some(rx), n));
        }
        replies
            .into_iter()
            .map(|(rx, n)| {
                rx.and_then(|rx| rx.recv().ok()).unwrap_or_else(|| {
                    let why = "internal error: a solver thread stopped";
                    let v = (0..n).map(|_| (Verdict::Unknown(why.into()), 0.0));
                    (v.collect(), 0.0)
                })
            })
            .collect()
    }
}

/// A solver thread: takes jobs from the queue until the pool is dropped.
fn spawn_worker(queue: Arc<Mutex<Receiver<Job>>>, warm: bool) -> std::thread::JoinHandle<()> {
    std::thread::spawn(move || {
        if warm {
            z3_backend::warm_up();
        }
        loop {
            // The lock is held only while taking a job.
            let job = match queue.lock() {
                Ok(r) => r.recv(),
                Err(_) => return,
            };
            let Ok(job) = job else { return };
            let start = std::time::Instant::now();
            let out = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                check_all(&job.queries, &job.opts)
            }))
            .unwrap_or_else(|_| {
                job.queries
                    .iter()
                    .map(|_| {
                        let why = "internal error in the solver backend";
                        (Verdict::Unknown(why.into()), 0.0)
                    })
                    .collect()
            });
            let ms = start.elapsed().as_secs_f64() * 1000.0;
            let _ = job.reply.send((out, ms));
        }
    })
}

/// A Z3 context allocates and zeroes about 35 MB. With glibc's defaults that memory goes
/// back to the system when the context is dropped (trimmed, or unmapped as large blocks), so
/// every fresh context faults it in again; keeping it in the heap makes a fresh context cost
/// under 2 ms instead of about 20 ms (the cold corpus benchmark: 2.7 s to 2.1 s).
fn keep_freed_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        const M_TRIM_THRESHOLD: i32 = -1;
        const M_MMAP_THRESHOLD: i32 = -3;
        unsafe extern "C" {
            fn mallopt(param: i32, value: i32) -> i32;
        }
        // SAFETY: mallopt only changes glibc's allocation thresholds; any value is valid.
        unsafe {
            mallopt(M_TRIM_THRESHOLD, 256 << 20);
            // The largest threshold glibc accepts (32 MB on 64-bit targets).
            mallopt(M_MMAP_THRESHOLD, 32 << 20);
        }
    }
}

impl Drop for Pool {
    fn drop(&mut self) {
        self.jobs.take();
        if let Ok(workers) = self.workers.get_mut() {
            for w in workers.drain(..) {
                let _ = w.join();
            }
        }
    }
}

/// The solver's name and version (`("z3", "4.8.12")`), for certificates and proof keys.
pub fn solver_info(opts: &Options) -> (String, String) {
    match opts.backend {
        Backend::Z3 => ("z3".into(), z3::full_version().to_string()),
        Backend::Z3Process => ("z3 (process)".into(), process_version("z3", "--version")),
        Backend::Cvc5 => (
            "cvc5 (process)".into(),
            process_version("cvc5", "--version"),
        ),
    }
}

/// The first line of `cmd --version` (`Z3 version 4.8.12 - 64 bit`), or `not found`.
fn process_version(cmd: &str, flag: &str) -> String {
    std::process::Command::new(cmd)
        .arg(flag)
        .output()
        .ok()
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .and_then(|s| s.lines().next().map(str::to_string))
        .unwrap_or_else(|| "not found".into())
}

/// The script that reproduces a query with a command-line solver (`z3 FILE`).
pub fn script(q: &Query, opts: &Options) -> String {
    let mut s = String::new();
    s.push_str("(set-option :produce-models true)\n");
    s.push_str("(set-option :tactic.default_tactic smt)\n");
    s.push_str(&format!("(set-option :smt.random_seed {})\n", opts.seed));
    s.push_str(&q.smt);
    s.push_str("(check-sat)\n");
    s
}

/// Turns model values into a counterexample, keeping sequence elements below the length.
pub(crate) fn shown(q: &Query, vals: Vec<Option<CexValue>>) -> Vec<(String, CexValue)> {
    let mut out = Vec::new();
    for (i, slot) in q.cex.iter().enumerate() {
        let (name, guard) = (&slot.name, &slot.shown_if_below);
        let Some(v) = vals[i].clone() else { continue };
        if let Some((len_at, k)) = guard {
            let ok = match vals.get(*len_at) {
                Some(Some(CexValue::Int(n))) => n.parse::<i128>().is_ok_and(|n| n > *k),
                _ => false,
            };
            if !ok {
                continue;
            }
        }
        let v = match v {
            CexValue::Int(n) if slot.is_char => {
                char_literal(&n).map_or(CexValue::Int(n), CexValue::Text)
            }
            v => v,
        };
        out.push((name.clone(), v));
    }
    out
}

/// A code point as Rust writes the char (`'x'`, `'\n'`, `'\u{0}'`); `None` off the
/// scalar values, which no `char` holds.
fn char_literal(code: &str) -> Option<String> {
    let c = char::from_u32(code.parse().ok()?)?;
    Some(format!("{c:?}"))
}

/// A model value in source terms: `(|Option<u32>::Some| 7)` to `Option<u32>::Some(7)`,
/// `(|Result<u8, bool>::Ok| (- 3))` to `Result<u8, bool>::Ok(-3)`. A `|..|` symbol is one
/// name even where it holds spaces; applications nest.
pub(crate) fn pretty_value(s: &str) -> String {
    let mut tokens = sexp_tokens(s).into_iter().peekable();
    let mut out = String::new();
    render_sexp(&mut tokens, &mut out);
    // Anything after one complete value (not expected from a model) is kept, not dropped.
    for t in tokens {
        out.push(' ');
        out.push_str(&t);
    }
    out
}

fn sexp_tokens(s: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '(' | ')' => out.push(c.to_string()),
            '|' => {
                let mut name = String::new();
                for d in chars.by_ref() {
                    if d == '|' {
                        break;
                    }
                    name.push(d);
                }
                out.push(name);
            }
            c if c.is_whitespace() => {}
            c => {
                let mut atom = c.to_string();
                while let Some(&d) = chars.peek() {
                    if d.is_whitespace() || d == '(' || d == ')' || d == '|' {
                        break;
                    }
                    atom.push(d);
                    chars.next();
                }
                out.push(atom);
            }
        }
    }
    out
}

fn render_sexp(tokens: &mut std::iter::Peekable<std::vec::IntoIter<String>>, out: &mut String) {
    let Some(t) = tokens.next() else { return };
    if t != "(" {
        out.push_str(&abstract_value(&t).unwrap_or_else(|| applied(&t, &[])));
        return;
    }
    let head = match tokens.peek().map(String::as_str) {
        // `((as const (Array Int Int)) 0)`: the head is itself an application.
        Some("(") => {
            let mut h = String::new();
            render_sexp(tokens, &mut h);
            h
        }
        Some(")") | None => {
            tokens.next();
            return;
        }
        Some(_) => tokens.next().unwrap_or_default(),
    };
    let mut args = Vec::new();
    while tokens.peek().is_some_and(|t| t != ")") {
        let mut a = String::new();
        render_sexp(tokens, &mut a);
        args.push(a);
    }
    tokens.next();
    out.push_str(&applied(&head, &args));
}

/// A value of a generic parameter's (uninterpreted) sort, which Z3 names `T!val!0` and cvc5
/// `@T_0`, as `T#0`: some value of `T`, distinct from `T#1`.
fn abstract_value(atom: &str) -> Option<String> {
    let (sort, n) = match atom.split_once("!val!") {
        Some(parts) => parts,
        None => atom.strip_prefix('@')?.rsplit_once('_')?,
    };
    n.parse::<u64>().ok().map(|n| format!("{sort}#{n}"))
}

/// A constructor or operator applied to rendered arguments.
fn applied(head: &str, args: &[String]) -> String {
    // cvc5 writes a generic parameter's value with its sort: `(as @T_0 T)`.
    if head == "as" && args.len() == 2 && args[0].contains('#') {
        return args[0].clone();
    }
    // `(- 5)` is the integer -5.
    if head == "-" && args.len() == 1 {
        return format!("-{}", args[0]);
    }
    if let Some((name, fields)) = head.strip_suffix(" }").and_then(|h| h.split_once(" { ")) {
        // A struct's constructor names its fields: `Pt { x, y }`.
        let named: Vec<String> = (fields.split(", ").zip(args))
            .map(|(f, a)| format!("{f}: {a}"))
            .collect();
        return format!("{} {{ {} }}", source_name(name), named.join(", "));
    }
    // Tuples and tuple structs are `T::mk`: `(1, true)`, `W(3)`, `Unit`.
    let name = head.strip_suffix("::mk").unwrap_or(head);
    let tuple = name.starts_with('(');
    let name = &if tuple {
        name.to_string()
    } else {
        source_name(name)
    };
    match args {
        [] if tuple => "()".to_string(),
        [] => name.to_string(),
        [a] if tuple => format!("({a},)"),
        _ if tuple => format!("({})", args.join(", ")),
        _ => format!("{name}({})", args.join(", ")),
    }
}

/// A type or variant path as source writes a value: without the type's generic arguments
/// (`Tree<i32>::Leaf` is `Tree::Leaf`), and the prelude's variants bare (`Some`, `None`,
/// `Ok`, `Err`).
fn source_name(name: &str) -> String {
    let (mut depth, mut cut, mut generics) = (0i32, None, None);
    for (i, c) in name.char_indices() {
        match c {
            '<' => {
                if depth == 0 && generics.is_none() {
                    generics = Some(i);
                }
                depth += 1;
            }
            '>' => depth -= 1,
            ':' if depth == 0 && name[i..].starts_with("::") => cut = Some(i),
            _ => {}
        }
    }
    let (ty, variant) = match cut {
        Some(i) if generics.is_none_or(|g| g < i) => (&name[..i], Some(&name[i + 2..])),
        _ => (name, None),
    };
    let ty = match generics {
        Some(g) if g < ty.len() => &ty[..g],
        _ => ty,
    };
    match variant {
        Some(v) if ty == "Option" || ty == "Result" => v.to_string(),
        Some(v) => format!("{ty}::{v}"),
        None => ty.to_string(),
    }
}

#[cfg(test)]
mod pretty_tests {
    use super::pretty_value;

    #[test]
    fn model_values_read_as_source() {
        assert_eq!(pretty_value("(|Option<u32>::Some| 7)"), "Some(7)");
        assert_eq!(pretty_value("|Option<u32>::None|"), "None");
        assert_eq!(pretty_value("(|Result<u8, bool>::Ok| (- 3))"), "Ok(-3)");
        assert_eq!(
            pretty_value("(|Option<W>::Some| (|W::mk| 1 (- 2)))"),
            "Some(W(1, -2))"
        );
        assert_eq!(
            pretty_value(
                "(|Option<Box<Node>>::Some| (|Node { val, next }| 2 |Option<Box<Node>>::None|))"
            ),
            "Some(Node { val: 2, next: None })"
        );
        assert_eq!(pretty_value("(|Tree<i32>::Leaf| 4)"), "Tree::Leaf(4)");
        assert_eq!(
            pretty_value("(|geo::Shape::Circle| 4)"),
            "geo::Shape::Circle(4)"
        );
        assert_eq!(
            pretty_value("(|Pair<u8> { a, b }| 1 2)"),
            "Pair { a: 1, b: 2 }"
        );
        assert_eq!(pretty_value("(|W<u8>::mk| 3)"), "W(3)");
        assert_eq!(pretty_value("42"), "42");
        assert_eq!(
            pretty_value("(|Option<Pt>::Some| (|Pt { x, y }| 0 (- 2)))"),
            "Some(Pt { x: 0, y: -2 })"
        );
        assert_eq!(pretty_value("(|(i32, bool)::mk| 1 true)"), "(1, true)");
        assert_eq!(pretty_value("(|W::mk| 3)"), "W(3)");
        assert_eq!(pretty_value("|U::mk|"), "U");
        assert_eq!(pretty_value("|()::mk|"), "()");
        assert_eq!(
            pretty_value("((as const (Array Int Int)) 0)"),
            "as(const, Array(Int, Int))(0)"
        );
        assert_eq!(pretty_value("(("), "");
        // Values of a generic parameter (Z3's and cvc5's spelling) are numbered.
        assert_eq!(pretty_value("T!val!0"), "T#0");
        assert_eq!(pretty_value("(as @T_1 T)"), "T#1");
        assert_eq!(pretty_value("(|Option<T>::Some| T!val!1)"), "Some(T#1)");
    }
}
