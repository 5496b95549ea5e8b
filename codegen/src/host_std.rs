//! The process, environment and standard-input primitives of the prelude's `std` module as
//! calls into the C run-time library: `std::process::exit`, the argument strings behind
//! `std::env::args()` and `Stdin::read_line`; and `std::mem::replace`/`swap`, a load and a
//! store of the values behind the references.

use crate::func::{basic, Cg, Error, Fx, R};
use inkwell::values::{BasicValueEnum, IntValue};
use inkwell::IntPredicate;
use vez_typeck::ty::Ty;

impl<'ctx> Cg<'ctx, '_> {
    /// One of these primitives, or `None` when `name` is not one.
    pub fn std_host_call(
        &mut self,
        fx: &Fx<'ctx>,
        name: &str,
        args: &[(BasicValueEnum<'ctx>, Ty)],
        ret: &Ty,
    ) -> R<Option<BasicValueEnum<'ctx>>> {
        Ok(Some(match name {
            "std::process::exit" => {
                let f = self.rt_fn("vez_exit");
                self.b.build_call(f, &[args[0].0.into()], "")?;
                self.lay.llty(ret).const_zero()
            }
            "std::env::arg_strings" => {
                let out = self.temp(fx, self.lay.vec().into())?;
                let f = self.rt_fn("vez_arg_strings");
                self.b.build_call(f, &[out.into()], "")?;
                self.b.build_load(self.lay.vec(), out, "args")?
            }
            "Stdin::read_line" => {
                let f = self.rt_fn("vez_read_line");
                let r = self.b.build_call(f, &[args[1].0.into()], "n")?;
                let n = basic(r)?.into_int_value();
                let i64t = self.ctx.i64_type();
                let code = self.b.build_int_neg(n, "errno")?;
                let code = self
                    .b
                    .build_int_truncate(code, self.ctx.i32_type(), "code")?;
                let failed =
                    self.b
                        .build_int_compare(IntPredicate::SLT, n, i64t.const_zero(), "failed")?;
                return self.ok_or_error_code(fx, ret, failed, n.into(), code);
            }
            "std::mem::replace" => {
                let (dest, (src, t)) = (args[0].0.into_pointer_value(), &args[1]);
                let held = self.b.build_load(self.lay.llty(t), dest, "held")?;
                self.b.build_store(dest, *src)?;
                held
            }
            "std::mem::swap" => {
                let Ty::Ref(_, t) = &args[0].1 else {
                    return Err(Error("internal error: `swap` of a non-reference".into()));
                };
                let lt = self.lay.llty(t);
                let (a, b) = (
                    args[0].0.into_pointer_value(),
                    args[1].0.into_pointer_value(),
                );
                let (x, y) = (
                    self.b.build_load(lt, a, "x")?,
                    self.b.build_load(lt, b, "y")?,
                );
                self.b.build_store(a, y)?;
                self.b.build_store(b, x)?;
                self.lay.unit().const_zero().into()
            }
            _ => return Ok(None),
        }))
    }

    /// `Err(E { code })` of the `Result` type `ret` where `failed`, else `Ok(ok)`: the shape
    /// of every run-time call that can fail (`E` is a struct whose first field is the code).
    pub fn ok_or_error_code(
        &mut self,
        fx: &Fx<'ctx>,
        ret: &Ty,
        failed: IntValue<'ctx>,
        ok: BasicValueEnum<'ctx>,
        code: IntValue<'ctx>,
    ) -> R<Option<BasicValueEnum<'ctx>>> {
        let Ty::Adt(_, a) = ret else { return Ok(None) };
        let Some(err_ty) = a.get(1) else {
            return Ok(None);
        };
        let ok = self.enum_value(fx, ret, 0, &[ok])?;
        let error = self.lay.llty(err_ty).into_struct_type();
        let e = self.b.build_insert_value(error.const_zero(), code, 0, "")?;
        let err = self.enum_value(fx, ret, 1, &[e.into_struct_value().into()])?;
        Ok(Some(self.b.build_select(failed, err, ok, "result")?))
    }
}
