//! LANGUAGE.md section 6: inside a `#[gpu::kernel]` or `#[gpu::device]` function only
//! scalars, arrays, `GpuBuffer` indexing and calls of other `#[gpu::device]` functions are
//! allowed. What needs the host (printing, allocation, the GPU host API, `std`) is refused
//! here, at its span, rather than when PTX is generated.

use crate::hir::{literal_text, Expr, ExprKind, FnDef, Program};
use crate::ty::Ty;
use vez_syntax::Diagnostic;

pub(crate) fn check_gpu_bodies(p: &Program) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for f in &p.fns {
        if !(f.attrs.kernel || f.attrs.device) {
            continue;
        }
        let Some(body) = &f.body else { continue };
        let what = if f.attrs.kernel {
            "kernel"
        } else {
            "device function"
        };
        body.walk(&mut |e: &Expr| {
            let refused = match &e.kind {
                ExprKind::Print { .. } => Some("printing needs the host".to_string()),
                ExprKind::VecLit(_) => Some("`vec!` allocates host memory".to_string()),
                ExprKind::Launch { .. } => Some("kernels are launched from host code".to_string()),
                // A literal message is a constant that CUDA's `__assertfail` prints; `{}`
                // needs the host's formatting.
                ExprKind::Panic { pieces, .. } | ExprKind::Assert { pieces, .. }
                    if literal_text(pieces).is_none() =>
                {
                    Some("a formatted panic message needs the host (use literal text)".to_string())
                }
                ExprKind::Call { func, .. } => {
                    let g = p.func(*func);
                    if g.attrs.kernel {
                        Some(format!(
                            "`{}` is a kernel: it is launched, not called",
                            g.name
                        ))
                    } else if g.attrs.from_prelude {
                        (!device_prelude_fn(p, g)).then(|| format!("`{}` runs on the host", g.name))
                    } else if !g.attrs.device {
                        Some(format!("`{}` is not a `#[gpu::device]` function", g.name))
                    } else {
                        None
                    }
                }
                _ => None,
            };
            if let Some(why) = refused {
                out.push(
                    Diagnostic::error(
                        "Z0010",
                        format!("not allowed in a GPU {what}: {why}"),
                        e.span,
                    )
                    .with_label(format!("inside `{}`", f.name)),
                );
            }
        });
    }
    out
}

/// Prelude functions that GPU code may call: the `gpu::` index intrinsics, barrier and
/// shared arrays, and the methods of integers, floats, arrays and slices, `GpuBuffer::len`,
/// `Option` and `Result` (none of them allocates or needs the host).
fn device_prelude_fn(p: &Program, g: &FnDef) -> bool {
    match &g.self_ty {
        None => g.name.starts_with("gpu::"),
        Some(t) => match t {
            Ty::Int(_) | Ty::Float(_) | Ty::Array(..) | Ty::Slice(_) => true,
            _ => {
                p.is_lang(t, p.lang.gpu_buffer)
                    || p.is_lang(t, p.lang.option)
                    || p.is_lang(t, p.lang.result)
            }
        },
    }
}
