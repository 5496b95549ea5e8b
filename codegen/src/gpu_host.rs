//! The host side of the GPU: `gpu::Device::cuda`, `upload`, `alloc`, `synchronize`,
//! `GpuBuffer::download` and `kernel<<<grid, block>>>(args)` as calls into the GPU run-time
//! library (`gpu-rt/`, cudarc underneath).
//!
//! On the host a `GpuBuffer<T>` has `Vec`'s layout `{ ptr, len, cap }`: `ptr` holds the
//! device address, `len` the element count and `cap` the device ordinal. A `gpu::Device` is
//! its ordinal; a `gpu::Error` its code (see `vez_gpu_rt`). A kernel's PTX parameters are
//! those of `ptx.rs`: a buffer is its device address and its length, so a launch passes
//! pointers to the buffer's first two fields.

use crate::func::{Cg, Error, Fx, R};
use inkwell::values::{BasicValueEnum, IntValue, PointerValue};
use inkwell::{AddressSpace, IntPredicate};
use vez_mir::Operand;
use vez_syntax::Span;
use vez_typeck::hir::FnId;
use vez_typeck::ty::Ty;

impl<'ctx> Cg<'ctx, '_> {
    /// The run-time library's GPU functions.
    fn gpu_rt_fn(&self, name: &str) -> inkwell::values::FunctionValue<'ctx> {
        if let Some(f) = self.module.get_function(name) {
            return f;
        }
        let p = self.lay.ptr();
        let i64t = self.ctx.i64_type();
        let i32t = self.ctx.i32_type();
        let ty = match name {
            "vez_gpu_device" | "vez_gpu_synchronize" => i32t.fn_type(&[i32t.into()], false),
            "vez_gpu_alloc" => i32t.fn_type(&[i32t.into(), i64t.into(), p.into()], false),
            "vez_gpu_upload" => {
                i32t.fn_type(&[i32t.into(), p.into(), i64t.into(), p.into()], false)
            }
            "vez_gpu_download" => {
                i32t.fn_type(&[i32t.into(), i64t.into(), i64t.into(), p.into()], false)
            }
            _ => self.ctx.void_type().fn_type(
                &[
                    p.into(),
                    p.into(),
                    i64t.into(),
                    p.into(),
                    p.into(),
                    p.into(),
                    i64t.into(),
                    p.into(),
                    i64t.into(),
                ],
                false,
            ),
        };
        self.module.add_function(name, ty, None)
    }

    /// A host `gpu::` API call, or `None` when `name` is not one.
    pub fn gpu_host_call(
        &mut self,
        fx: &Fx<'ctx>,
        name: &str,
        args: &[(BasicValueEnum<'ctx>, Ty)],
        ret: &Ty,
    ) -> R<Option<BasicValueEnum<'ctx>>> {
        let i32t = self.ctx.i32_type();
        let i64t = self.ctx.i64_type();
        let ok_ty = match ret {
            Ty::Adt(_, a) if a.len() == 2 => a[0].clone(),
            _ => return Ok(None),
        };
        let ordinal_of = |cg: &Self, device: PointerValue<'ctx>| -> R<IntValue<'ctx>> {
            Ok(cg.b.build_load(i32t, device, "ordinal")?.into_int_value())
        };
        let elem_size = |cg: &Self, t: &Ty| match t {
            Ty::Adt(_, a) if a.len() == 1 => Ok(cg.lay.size_of(&a[0])),
            _ => Err(Error(
                "internal error: a GPU buffer type without its element".into(),
            )),
        };
        let (code, ok) = match name {
            "Device::cuda" => {
                let ordinal = args[0].0.into_int_value();
                let code = self.call_i32("vez_gpu_device", &[ordinal.into()])?;
                let device = self.lay.llty(&ok_ty).into_struct_type();
                let d = self
                    .b
                    .build_insert_value(device.const_zero(), ordinal, 0, "")?;
                (code, d.into_struct_value().into())
            }
            "Device::upload" | "Device::alloc" => {
                let ordinal = ordinal_of(self, args[0].0.into_pointer_value())?;
                let size = i64t.const_int(elem_size(self, &ok_ty)?, false);
                let out = self.temp(fx, i64t.into())?;
                self.b.build_store(out, i64t.const_zero())?;
                let (code, len) = if name.ends_with("upload") {
                    let slice = args[1].0.into_struct_value();
                    let data = self.b.build_extract_value(slice, 0, "data")?;
                    let len = self
                        .b
                        .build_extract_value(slice, 1, "len")?
                        .into_int_value();
                    let bytes = self.b.build_int_mul(len, size, "bytes")?;
                    let args = [ordinal.into(), data.into(), bytes.into(), out.into()];
                    (self.call_i32("vez_gpu_upload", &args)?, len)
                } else {
                    let len = args[1].0.into_int_value();
                    let bytes = self.array_bytes(len, elem_size(self, &ok_ty)?)?;
                    let args = [ordinal.into(), bytes.into(), out.into()];
                    (self.call_i32("vez_gpu_alloc", &args)?, len)
                };
                let addr = self.b.build_load(i64t, out, "addr")?.into_int_value();
                let addr = self.b.build_int_to_ptr(addr, self.lay.ptr(), "dptr")?;
                let cap = self.b.build_int_z_extend(ordinal, i64t, "ordinal")?;
                (code, self.vec_value(addr, len, cap)?.into())
            }
            "Device::synchronize" => {
                let ordinal = ordinal_of(self, args[0].0.into_pointer_value())?;
                let code = self.call_i32("vez_gpu_synchronize", &[ordinal.into()])?;
                (code, self.lay.unit().const_zero().into())
            }
            "GpuBuffer::download" => {
                let buf = args[0].0.into_pointer_value();
                let vt = self.lay.vec();
                let field = |cg: &Self, k: u32| -> R<IntValue<'ctx>> {
                    let at = cg.b.build_struct_gep(vt, buf, k, "field")?;
                    Ok(cg.b.build_load(i64t, at, "f")?.into_int_value())
                };
                let dptr = field(self, 0)?;
                let len = field(self, 1)?;
                let ordinal = field(self, 2)?;
                let ordinal = self.b.build_int_truncate(ordinal, i32t, "ordinal")?;
                let size = i64t.const_int(elem_size(self, &ok_ty)?, false);
                let bytes = self.b.build_int_mul(len, size, "bytes")?;
                let alloc = self.rt_fn("vez_alloc");
                let host = self.b.build_call(alloc, &[bytes.into()], "host")?;
                let host = crate::func::basic(host)?.into_pointer_value();
                let args = [ordinal.into(), dptr.into(), bytes.into(), host.into()];
                let code = self.call_i32("vez_gpu_download", &args)?;
                (code, self.vec_value(host, len, len)?.into())
            }
            _ => return Ok(None),
        };
        // Ok(value) when the code is 0, else Err(gpu::Error { code }).
        let failed =
            self.b
                .build_int_compare(IntPredicate::NE, code, i32t.const_zero(), "failed")?;
        self.ok_or_error_code(fx, ret, failed, ok, code)
    }

    fn call_i32(
        &self,
        name: &str,
        args: &[inkwell::values::BasicMetadataValueEnum<'ctx>],
    ) -> R<IntValue<'ctx>> {
        let f = self.gpu_rt_fn(name);
        let r = self.b.build_call(f, args, name)?;
        Ok(crate::func::basic(r)?.into_int_value())
    }

    /// `k<<<grid, block>>>(args)`: the run-time library launches entry `k` of the embedded
    /// PTX module with a pointer to each PTX parameter's value.
    pub fn launch(&mut self, fx: &Fx<'ctx>, k: FnId, args: &[Operand], span: Span) -> R<()> {
        let Some(ptx) = self.kernels_ptx.clone() else {
            return Err(Error(format!(
                "{}: internal error: a launch without generated kernels",
                self.loc(span)
            )));
        };
        let ptx = self.str_const(&ptx).0;
        let mut vals = Vec::new();
        for a in args {
            vals.push(self.operand(fx, a, span)?);
        }
        let grid = self.spill(fx, vals[0].0)?;
        let block = self.spill(fx, vals[1].0)?;
        let f = self.p.func(k);
        let param_tys: Vec<Ty> = f.param_tys().cloned().collect();
        let mut params: Vec<PointerValue<'ctx>> = Vec::new();
        for ((v, _), t) in vals[2..].iter().zip(&param_tys) {
            if self.buffer_param(t) {
                let vt = self.lay.vec();
                let buf = v.into_pointer_value();
                params.push(self.b.build_struct_gep(vt, buf, 0, "dptr")?);
                params.push(self.b.build_struct_gep(vt, buf, 1, "len")?);
            } else {
                params.push(self.spill(fx, *v)?);
            }
        }
        let ptr = self.ctx.ptr_type(AddressSpace::default());
        let arr_ty = ptr.array_type(params.len() as u32);
        let arr = self.temp(fx, arr_ty.into())?;
        for (i, p) in params.iter().enumerate() {
            let i64t = self.ctx.i64_type();
            let at = unsafe {
                self.b.build_in_bounds_gep(
                    arr_ty,
                    arr,
                    &[i64t.const_zero(), i64t.const_int(i as u64, false)],
                    "param",
                )?
            };
            self.b.build_store(at, *p)?;
        }
        let (name, name_len) = self.str_const(crate::ptx::entry_name(self.p, k).as_bytes());
        let (loc, loc_len) = self.loc_value(fx, span)?;
        let n = self.ctx.i64_type().const_int(params.len() as u64, false);
        let launch = self.gpu_rt_fn("vez_gpu_launch");
        self.b.build_call(
            launch,
            &[
                ptx.into(),
                name.into(),
                name_len.into(),
                grid.into(),
                block.into(),
                arr.into(),
                n.into(),
                loc.into(),
                loc_len.into(),
            ],
            "",
        )?;
        Ok(())
    }
}
