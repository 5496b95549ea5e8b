//! GPU kernels to PTX through LLVM's NVPTX backend (`nvptx64-nvidia-cuda`).
//!
//! A kernel body is generated like any function (generic pointers, the same places and
//! checks), with three differences made by `Cg` in device mode: the `gpu::` index intrinsics
//! read the `llvm.nvvm.read.ptx.sreg.*` registers, `gpu::barrier()` is `llvm.nvvm.barrier0`,
//! and a `gpu::shared` array is a global in address space 3 (one per block). A panic is
//! CUDA's `__assertfail` (a message on stderr, then the kernel stops). Each kernel gets an entry point with the `ptx_kernel` calling convention (and
//! the `nvvm.annotations` entry LLVM 19 still reads) that takes every `GpuBuffer` as a
//! global-memory pointer (address space 1) and a length.

use crate::func::{Cg, Error, R};
use inkwell::attributes::{Attribute, AttributeLoc};
use inkwell::module::Linkage;
use inkwell::targets::{
    CodeModel, InitializationConfig, RelocMode, Target, TargetMachine, TargetTriple,
};
use inkwell::types::{BasicMetadataTypeEnum, BasicType};
use inkwell::values::{BasicMetadataValueEnum, BasicValueEnum, FunctionValue};
use inkwell::AddressSpace;
use vez_typeck::hir::{FnId, Program};
use vez_typeck::mono::Instance;
use vez_typeck::ty::Ty;

/// The oldest architecture whose PTX the CUDA drivers of the last years still JIT-compile
/// for every newer GPU.
pub const SM: &str = "sm_70";
const PTX_KERNEL_CC: u32 = 71;

pub fn target_machine(opt: u8) -> Result<TargetMachine, String> {
    Target::initialize_nvptx(&InitializationConfig::default());
    let triple = TargetTriple::create("nvptx64-nvidia-cuda");
    let target = Target::from_triple(&triple).map_err(|e| e.to_string())?;
    let level = crate::link::opt_level(opt);
    target
        .create_target_machine(
            &triple,
            SM,
            "",
            level,
            RelocMode::Default,
            CodeModel::Default,
        )
        .ok_or_else(|| "cannot create an NVPTX target machine".to_string())
}

/// The program's kernels, in declaration order.
pub fn kernels(p: &Program) -> Vec<FnId> {
    (0..p.fns.len() as u32)
        .map(FnId)
        .filter(|f| p.func(*f).attrs.kernel && p.func(*f).body.is_some())
        .collect()
}

/// The PTX entry name of a kernel (`a::b` becomes `a_b`).
pub fn entry_name(p: &Program, k: FnId) -> String {
    p.func(k).name.replace("::", "_")
}

impl<'ctx> Cg<'ctx, '_> {
    /// The entry point of kernel `k`: buffers arrive as (global pointer, length) pairs and
    /// are rebuilt as `GpuBuffer` values for the body.
    pub fn kernel_entry(&mut self, k: FnId) -> R<()> {
        let body = self
            .instance(&Instance {
                func: k,
                args: vec![],
            })
            .map_err(Error)?;
        let inline = Attribute::get_named_enum_kind_id("alwaysinline");
        body.add_attribute(
            AttributeLoc::Function,
            self.ctx.create_enum_attribute(inline, 0),
        );
        let f = self.p.func(k);
        let param_tys: Vec<Ty> = f.param_tys().cloned().collect();
        let global = self.ctx.ptr_type(AddressSpace::from(1));
        let i64t = self.ctx.i64_type();
        let mut params: Vec<BasicMetadataTypeEnum> = Vec::new();
        for t in &param_tys {
            if self.buffer_param(t) {
                params.push(global.into());
                params.push(i64t.into());
            } else if matches!(t, Ty::Ref(..)) {
                return Err(Error(format!(
                    "{}: a kernel parameter must be a scalar or a `GpuBuffer` reference",
                    self.loc(f.span)
                )));
            } else {
                params.push(self.lay.llty(t).into());
            }
        }
        let name = entry_name(self.p, k);
        let fv = self.module.add_function(
            &name,
            self.ctx.void_type().fn_type(&params, false),
            Some(Linkage::External),
        );
        fv.set_call_conventions(PTX_KERNEL_CC);
        self.annotate_kernel(fv);
        let bb = self.ctx.append_basic_block(fv, "start");
        self.b.position_at_end(bb);
        let mut args: Vec<BasicMetadataValueEnum> = Vec::new();
        let mut i = 0u32;
        let param = |fv: FunctionValue<'ctx>, i: u32| {
            fv.get_nth_param(i)
                .ok_or_else(|| Error("internal error: missing kernel parameter".into()))
        };
        for t in &param_tys {
            if self.buffer_param(t) {
                let data = param(fv, i)?.into_pointer_value();
                let len = param(fv, i + 1)?.into_int_value();
                i += 2;
                let generic = self
                    .b
                    .build_address_space_cast(data, self.lay.ptr(), "data")?;
                let vec_ty = self.lay.vec();
                let slot = self.b.build_alloca(vec_ty, "buffer")?;
                for (field, v) in [
                    (0, BasicValueEnum::from(generic)),
                    (1, len.into()),
                    (2, len.into()),
                ] {
                    let at = self.b.build_struct_gep(vec_ty, slot, field, "field")?;
                    self.b.build_store(at, v)?;
                }
                args.push(slot.into());
            } else {
                args.push(param(fv, i)?.into());
                i += 1;
            }
        }
        self.b.build_call(body, &args, "")?;
        self.b.build_return(None)?;
        Ok(())
    }

    pub(crate) fn buffer_param(&self, t: &Ty) -> bool {
        matches!(t, Ty::Ref(_, inner) if self.p.is_lang(inner, self.p.lang.gpu_buffer))
    }

    /// `!nvvm.annotations = !{!{ptr @k, !"kernel", i32 1}}`: how LLVM 19's NVPTX backend
    /// recognises an entry point.
    fn annotate_kernel(&self, fv: FunctionValue<'ctx>) {
        let one = self.ctx.i32_type().const_int(1, false);
        let node = self.ctx.metadata_node(&[
            fv.as_global_value().as_pointer_value().into(),
            self.ctx.metadata_string("kernel").into(),
            one.into(),
        ]);
        let _ = self.module.add_global_metadata("nvvm.annotations", &node);
    }

    /// A `gpu::` intrinsic in device code; `None` for `gpu::shared` (its local already is the
    /// block's shared array).
    pub fn gpu_intrinsic(&mut self, name: &str, ret: &Ty) -> R<Option<BasicValueEnum<'ctx>>> {
        let reg = match name {
            "gpu::thread_idx" => "tid",
            "gpu::block_idx" => "ctaid",
            "gpu::block_dim" => "ntid",
            "gpu::grid_dim" => "nctaid",
            "gpu::barrier" => {
                let f = self.device_intrinsic("llvm.nvvm.barrier0", false);
                self.b.build_call(f, &[], "")?;
                return Ok(Some(self.lay.unit().const_zero().into()));
            }
            "gpu::shared" => return Ok(None),
            _ => return Err(Error(format!("`{name}` cannot be used in GPU code"))),
        };
        let dim = self.lay.llty(ret).into_struct_type();
        let mut v = dim.get_undef();
        for (i, c) in ["x", "y", "z"].iter().enumerate() {
            let f = self.device_intrinsic(&format!("llvm.nvvm.read.ptx.sreg.{reg}.{c}"), true);
            let x = self.b.build_call(f, &[], c)?;
            let x = crate::func::basic(x)?;
            v = self
                .b
                .build_insert_value(v, x, i as u32, "dim")?
                .into_struct_value();
        }
        Ok(Some(v.into()))
    }

    fn device_intrinsic(&self, name: &str, returns_i32: bool) -> FunctionValue<'ctx> {
        if let Some(f) = self.module.get_function(name) {
            return f;
        }
        let ty = if returns_i32 {
            self.ctx.i32_type().fn_type(&[], false)
        } else {
            self.ctx.void_type().fn_type(&[], false)
        };
        self.module.add_function(name, ty, None)
    }

    /// The block's shared array for a `gpu::shared::<T, N>()` local: an address-space-3
    /// global, seen through a generic pointer like every other place.
    pub fn shared_array(&mut self, ty: &Ty, name: &str) -> R<inkwell::values::PointerValue<'ctx>> {
        let llty = self.lay.llty(ty);
        let g =
            self.module
                .add_global(llty, Some(AddressSpace::from(3)), &format!("shared.{name}"));
        g.set_linkage(Linkage::Internal);
        // Shared memory cannot be initialised (NVPTX accepts only `undef` there).
        match llty.as_basic_type_enum() {
            inkwell::types::BasicTypeEnum::ArrayType(a) => g.set_initializer(&a.get_undef()),
            _ => {
                return Err(Error(format!(
                    "`gpu::shared` array `{name}` must be an array"
                )))
            }
        }
        g.set_alignment(16);
        Ok(self
            .b
            .build_address_space_cast(g.as_pointer_value(), self.lay.ptr(), name)?)
    }

    /// The body of a run-time panic function in device code. CUDA's `__assertfail(message,
    /// file, line, function, char size)` prints `file:line: function: block: [x,y,z], thread:
    /// [x,y,z] Assertion `message` failed.` on the host's stderr and stops the kernel; the
    /// host's next synchronize returns CUDA_ERROR_ASSERT (710). Device code passes locations
    /// as (file, line) (see `loc_value`), and its string constants end in a NUL.
    pub(crate) fn device_panic_body(&self, name: &str, f: FunctionValue<'ctx>) {
        let saved = self.b.get_insert_block();
        let bb = self.ctx.append_basic_block(f, "start");
        self.b.position_at_end(bb);
        let _ = self.assert_fail(name, f);
        let _ = self.b.build_unreachable();
        if let Some(bb) = saved {
            self.b.position_at_end(bb);
        }
    }

    fn assert_fail(&self, name: &str, f: FunctionValue<'ctx>) -> R<()> {
        let param = |i: u32| {
            f.get_nth_param(i)
                .ok_or_else(|| Error("internal error: missing panic parameter".into()))
        };
        // The message, and where the location's two parameters start.
        let (message, at) = match name {
            "vez_panic" => (param(0)?.into_pointer_value(), Some(2)),
            "vez_panic_bounds" => (self.device_cstr("index out of bounds"), Some(2)),
            "vez_panic_slice" => (self.device_cstr("slice index out of range"), Some(4)),
            _ => (self.device_cstr("panicked"), None),
        };
        let ptr = self.lay.ptr();
        let i64t = self.ctx.i64_type();
        let i32t = self.ctx.i32_type();
        let (file, line) = match at {
            Some(at) => {
                let line = param(at + 1)?.into_int_value();
                (
                    param(at)?.into_pointer_value(),
                    self.b.build_int_truncate(line, i32t, "line")?,
                )
            }
            None => (self.device_cstr("<unknown>"), i32t.const_zero()),
        };
        let assert_fail = self.module.get_function("__assertfail").unwrap_or_else(|| {
            let ty = self.ctx.void_type().fn_type(
                &[ptr.into(), ptr.into(), i32t.into(), ptr.into(), i64t.into()],
                false,
            );
            self.module.add_function("__assertfail", ty, None)
        });
        let args = [
            message.into(),
            file.into(),
            line.into(),
            self.device_cstr("panicked").into(),
            i64t.const_int(1, false).into(),
        ];
        self.b.build_call(assert_fail, &args, "")?;
        Ok(())
    }

    /// A NUL-terminated constant string for device code.
    fn device_cstr(&self, s: &str) -> inkwell::values::PointerValue<'ctx> {
        let arr = self.ctx.const_string(s.as_bytes(), true);
        let g = self.module.add_global(arr.get_type(), None, "panic.str");
        g.set_initializer(&arr);
        g.set_constant(true);
        g.set_linkage(Linkage::Private);
        g.as_pointer_value()
    }

    /// What device code may not call: functions declared but not defined, other than LLVM's
    /// intrinsics (allocation, printing, the run-time library).
    pub fn undefined_device_calls(&self) -> Vec<String> {
        self.module
            .get_functions()
            .filter(|f| f.count_basic_blocks() == 0)
            .map(|f| f.get_name().to_string_lossy().to_string())
            .filter(|name| !name.starts_with("llvm.") && name != "__assertfail")
            .collect()
    }
}
