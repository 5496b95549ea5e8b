//! One monomorphic function instance from its MIR body. Every MIR local lives in a stack
//! slot (LLVM's mem2reg/SROA turn them into registers); places are pointers computed from
//! the slot through the projections.

use crate::layout::{Kind, Layout};
use crate::{Proofs, Worklist};
use inkwell::basic_block::BasicBlock;
use inkwell::builder::{Builder, BuilderError};
use inkwell::context::Context;
use inkwell::intrinsics::Intrinsic;
use inkwell::module::{Linkage, Module};
use inkwell::targets::TargetData;
use inkwell::types::{BasicMetadataTypeEnum, BasicType, BasicTypeEnum};
use inkwell::values::{
    BasicMetadataValueEnum, BasicValue, BasicValueEnum, FunctionValue, IntValue, PointerValue,
};
use inkwell::{FloatPredicate, IntPredicate};
use std::collections::HashMap;
use std::rc::Rc;
use vez_mir::consts::{self, CVal};
use vez_mir::{
    AggregateKind, Body, Callee, ConstValue, Operand, Place, Proj, Rvalue, StatementKind,
    TerminatorKind,
};
use vez_syntax::Span;
use vez_typeck::hir::{BinOp, Coercion, FmtPiece, FnId, PanicKind, PrintKind, Program, UnOp};
use vez_typeck::mono::Instance;
use vez_typeck::ty::{FloatTy, IntTy, Ty};

/// A code generation error (an unsupported construct, or an LLVM builder failure).
#[derive(Debug)]
pub struct Error(pub String);

impl From<BuilderError> for Error {
    fn from(e: BuilderError) -> Error {
        Error(format!("internal error in the LLVM builder: {e}"))
    }
}

impl From<Error> for String {
    fn from(e: Error) -> String {
        e.0
    }
}

pub type R<T> = Result<T, Error>;

pub struct Cg<'ctx, 'p> {
    pub ctx: &'ctx Context,
    pub module: Module<'ctx>,
    pub b: Builder<'ctx>,
    pub p: &'p Program,
    pub lay: Layout<'ctx, 'p>,
    location: &'p dyn Fn(Span) -> String,
    pub snippet: &'p dyn Fn(Span) -> String,
    pub proofs: &'p dyn Proofs,
    work: Worklist,
    fns: HashMap<Instance, FunctionValue<'ctx>>,
    mir: HashMap<FnId, Rc<Body>>,
    pub helpers: HashMap<(&'static str, Ty), FunctionValue<'ctx>>,
    strings: HashMap<Vec<u8>, PointerValue<'ctx>>,
    pub dbg: Option<crate::helpers::DebugInfo<'ctx>>,
    /// Generating GPU code (NVPTX): `gpu::` intrinsics, shared arrays, panics as traps.
    pub device: bool,
    /// The kernels' PTX (NUL-terminated), embedded in the executable for its launches.
    pub kernels_ptx: Option<Vec<u8>>,
}

/// The state of the function being generated.
pub struct Fx<'ctx> {
    pub fv: FunctionValue<'ctx>,
    args: Vec<Ty>,
    slots: Vec<PointerValue<'ctx>>,
    tys: Vec<Ty>,
    blocks: Vec<BasicBlock<'ctx>>,
    /// Where temporary slots go (the entry block, before its branch).
    alloca_at: inkwell::values::InstructionValue<'ctx>,
    /// A prelude function reports panics at its caller's location (Rust's `#[track_caller]`).
    caller_loc: Option<(PointerValue<'ctx>, IntValue<'ctx>)>,
    /// Whether this function's own obligations were verified (only then are checks elided).
    verified: bool,
    /// Per MIR local: computed by a `#[ghost] let`, so never computed here.
    ghost: Vec<bool>,
}

/// A place: its address, type, the length when it is a slice or `str`, and the variant it
/// was downcast to.
#[derive(Clone)]
pub struct PlaceRef<'ctx> {
    pub ptr: PointerValue<'ctx>,
    pub ty: Ty,
    pub len: Option<IntValue<'ctx>>,
    variant: Option<u32>,
}

impl<'ctx> PlaceRef<'ctx> {
    pub fn from_parts(ptr: PointerValue<'ctx>, ty: Ty) -> Self {
        PlaceRef {
            ptr,
            ty,
            len: None,
            variant: None,
        }
    }
}

pub fn unsupported<T>(span_loc: String, what: &str) -> R<T> {
    Err(Error(format!(
        "{span_loc}: {what} is not supported by code generation yet"
    )))
}

impl<'ctx, 'p> Cg<'ctx, 'p> {
    pub fn new(
        ctx: &'ctx Context,
        module: Module<'ctx>,
        p: &'p Program,
        td: TargetData,
        location: &'p dyn Fn(Span) -> String,
        snippet: &'p dyn Fn(Span) -> String,
        proofs: &'p dyn Proofs,
    ) -> Self {
        Cg {
            ctx,
            module,
            b: ctx.create_builder(),
            p,
            lay: Layout::new(ctx, p, td),
            location,
            snippet,
            proofs,
            work: Worklist::default(),
            fns: HashMap::new(),
            mir: HashMap::new(),
            helpers: HashMap::new(),
            strings: HashMap::new(),
            dbg: None,
            device: false,
            kernels_ptx: None,
        }
    }

    pub fn into_module(self) -> Module<'ctx> {
        self.module
    }

    pub fn loc(&self, span: Span) -> String {
        (self.location)(span)
    }

    fn is_track_caller(&self, f: FnId) -> bool {
        self.p.func(f).attrs.from_prelude
    }

    /// The LLVM function of an instance, declared now and generated later.
    pub fn instance(&mut self, inst: &Instance) -> Result<FunctionValue<'ctx>, String> {
        if let Some(f) = self.fns.get(inst) {
            return Ok(*f);
        }
        let f = self.p.func(inst.func);
        let mut params: Vec<BasicMetadataTypeEnum> = f
            .param_tys()
            .map(|t| self.lay.llty(&t.subst(&inst.args)).into())
            .collect();
        if self.is_track_caller(inst.func) {
            params.push(self.lay.ptr().into());
            params.push(self.ctx.i64_type().into());
        }
        let ret = self.lay.llty(&f.ret.subst(&inst.args));
        let name = self.mangle(inst);
        let fv =
            self.module
                .add_function(&name, ret.fn_type(&params, false), Some(Linkage::Internal));
        let param_tys: Vec<Ty> = f.param_tys().map(|t| t.subst(&inst.args)).collect();
        self.add_fn_attributes(fv, &param_tys);
        self.fns.insert(inst.clone(), fv);
        self.work.queue.push_back(inst.clone());
        Ok(fv)
    }

    /// What the borrow checker and the panic strategy guarantee, told to LLVM as Rust tells
    /// it: no VeZ function unwinds (a panic exits the process), and a thin reference
    /// parameter is non-null, aligned, dereferenceable for its pointee's size and unaliased
    /// (`&mut` is unique; `&` is read-only and VeZ has no interior mutability).
    fn add_fn_attributes(&self, fv: FunctionValue<'ctx>, param_tys: &[Ty]) {
        use inkwell::attributes::{Attribute, AttributeLoc};
        let c = self.ctx;
        let attr = |name: &str, v: u64| {
            c.create_enum_attribute(Attribute::get_named_enum_kind_id(name), v)
        };
        fv.add_attribute(AttributeLoc::Function, attr("nounwind", 0));
        for (i, ty) in param_tys.iter().enumerate() {
            let Ty::Ref(mutable, pointee) = ty else {
                continue;
            };
            if Layout::unsized_ty(pointee) {
                continue;
            }
            let loc = AttributeLoc::Param(i as u32);
            let llty = self.lay.llty(pointee);
            let size = self.lay.td.get_abi_size(&llty);
            fv.add_attribute(loc, attr("nonnull", 0));
            fv.add_attribute(loc, attr("noundef", 0));
            fv.add_attribute(loc, attr("noalias", 0));
            if size > 0 {
                fv.add_attribute(loc, attr("dereferenceable", size));
                fv.add_attribute(
                    loc,
                    attr("align", self.lay.td.get_abi_alignment(&llty) as u64),
                );
            }
            if !mutable {
                fv.add_attribute(loc, attr("readonly", 0));
            }
        }
    }

    /// `vez.<name>` or `vez.<name><args>`, unique per instance.
    fn mangle(&self, inst: &Instance) -> String {
        let f = self.p.func(inst.func);
        let mut s = format!("vez.{}", f.name);
        if !inst.args.is_empty() {
            let args: Vec<String> = inst.args.iter().map(|t| self.p.ty_name(t)).collect();
            s.push_str(&format!("<{}>", args.join(",")));
        }
        s
    }

    pub fn drain(&mut self) -> Result<(), String> {
        while let Some(inst) = self.work.queue.pop_front() {
            self.gen_instance(&inst)?;
        }
        Ok(())
    }

    /// `int main()` calls the VeZ `main` and exits 0 (stdout is flushed at exit). A `main`
    /// that returns `Result` and gives `Err(e)` prints `Error: {e:?}` on stderr and exits 1,
    /// as Rust's does.
    pub fn emit_c_main(&mut self, entry: FunctionValue<'ctx>) -> R<()> {
        let i32t = self.ctx.i32_type();
        let argv_ty = self.lay.ptr();
        let f = self.module.add_function(
            "main",
            i32t.fn_type(&[i32t.into(), argv_ty.into()], false),
            None,
        );
        let start = self.ctx.append_basic_block(f, "start");
        let body = self.ctx.append_basic_block(f, "body");
        self.b.position_at_end(start);
        if self.dbg.is_some() {
            self.b.unset_current_debug_location();
        }
        let alloca_at = self.b.build_unconditional_branch(body)?;
        self.b.position_at_end(body);
        // `std::env::args()` reads them.
        let (argc, argv) = (f.get_nth_param(0), f.get_nth_param(1));
        if let (Some(argc), Some(argv)) = (argc, argv) {
            let set = self.rt_fn("vez_set_args");
            self.b.build_call(set, &[argc.into(), argv.into()], "")?;
        }
        let r = self.b.build_call(entry, &[], "")?;
        let ret = self.p.main.map(|m| self.p.func(m).ret.clone());
        let err_ty = match &ret {
            Some(t @ Ty::Adt(id, a)) if Some(*id) == self.p.lang.result && a.len() == 2 => {
                Some((t.clone(), a[1].clone()))
            }
            _ => None,
        };
        if let Some((rty, ety)) = err_ty {
            let fx = Fx {
                fv: f,
                args: vec![],
                slots: vec![],
                tys: vec![],
                blocks: vec![],
                alloca_at,
                caller_loc: None,
                verified: false,
                ghost: vec![],
            };
            let v = basic(r)?;
            let slot = self.spill(&fx, v)?;
            let pr = PlaceRef::from_parts(slot, rty.clone());
            let tag = self.enum_tag(&pr)?;
            let is_err = self.b.build_int_compare(
                IntPredicate::EQ,
                tag,
                i32t.const_int(1, false),
                "is_err",
            )?;
            let fail = self.ctx.append_basic_block(f, "err");
            let done = self.ctx.append_basic_block(f, "ok");
            self.b.build_conditional_branch(is_err, fail, done)?;
            self.b.position_at_end(fail);
            let et = self.lay.llty(&rty);
            let payload = self.b.build_struct_gep(et, slot, 1, "payload")?;
            let vt = self.lay.variant(&rty, 1);
            let e = self.b.build_struct_gep(vt, payload, 0, "e")?;
            let buf = self.new_buf(&fx)?;
            let (p, n) = self.str_const(b"Error: ");
            let push = self.rt_fn("vez_buf_push");
            self.b
                .build_call(push, &[buf.into(), p.into(), n.into()], "")?;
            self.fmt_ptr(buf, e, &ety, true)?;
            let (p, n) = self.str_const(b"\n");
            self.b
                .build_call(push, &[buf.into(), p.into(), n.into()], "")?;
            let print = self.rt_fn("vez_print");
            self.b
                .build_call(print, &[i32t.const_int(2, false).into(), buf.into()], "")?;
            self.b.build_return(Some(&i32t.const_int(1, false)))?;
            self.b.position_at_end(done);
        }
        self.b.build_return(Some(&i32t.const_zero()))?;
        Ok(())
    }

    fn gen_instance(&mut self, inst: &Instance) -> Result<(), String> {
        let body = match self.mir.get(&inst.func) {
            Some(b) => b.clone(),
            None => {
                let Some(b) = vez_mir::build::lower_fn(self.p, inst.func) else {
                    let f = self.p.func(inst.func);
                    return Err(format!(
                        "{}: `{}` has no body to generate",
                        self.loc(f.span),
                        f.name
                    ));
                };
                let b = Rc::new(b);
                self.mir.insert(inst.func, b.clone());
                b
            }
        };
        let fv = self.fns[inst];
        let entry = self.ctx.append_basic_block(fv, "start");
        self.b.position_at_end(entry);
        let def = self.p.func(inst.func);
        if self.dbg.is_some() {
            self.attach_subprogram(fv, def.span, &def.name);
            self.set_debug_loc(def.span);
        }
        let tys: Vec<Ty> = body.locals.iter().map(|l| l.ty.subst(&inst.args)).collect();
        let mut slots = Vec::new();
        for (i, t) in tys.iter().enumerate() {
            let name = body.locals[i].name.clone().unwrap_or_default();
            slots.push(
                self.b
                    .build_alloca(self.lay.llty(t), &name)
                    .map_err(Error::from)?,
            );
        }
        if self.device {
            self.place_shared_arrays(&body, &tys, &mut slots)?;
        }
        for i in 0..body.arg_count {
            let v = fv
                .get_nth_param(i as u32)
                .ok_or_else(|| "internal error: missing parameter".to_string())?;
            self.b.build_store(slots[i + 1], v).map_err(Error::from)?;
        }
        let caller_loc = if self.is_track_caller(inst.func) {
            let n = body.arg_count as u32;
            match (fv.get_nth_param(n), fv.get_nth_param(n + 1)) {
                (Some(p), Some(l)) => Some((p.into_pointer_value(), l.into_int_value())),
                _ => None,
            }
        } else {
            None
        };
        let blocks: Vec<BasicBlock> = (0..body.blocks.len())
            .map(|i| self.ctx.append_basic_block(fv, &format!("bb{i}")))
            .collect();
        let alloca_at = self
            .b
            .build_unconditional_branch(blocks[0])
            .map_err(Error::from)?;
        let f = self.p.func(inst.func);
        let verified = !f.attrs.trusted;
        let fx = Fx {
            fv,
            args: inst.args.clone(),
            slots,
            tys,
            blocks,
            alloca_at,
            caller_loc,
            verified,
            ghost: body.locals.iter().map(|l| l.ghost).collect(),
        };
        for (i, bd) in body.blocks.iter().enumerate() {
            self.b.position_at_end(fx.blocks[i]);
            for st in &bd.stmts {
                self.set_debug_loc(st.span);
                if let StatementKind::Assign(place, rv) = &st.kind {
                    if !fx.ghost[place.local.0 as usize] {
                        self.assign(&fx, place, rv, st.span)?;
                    }
                }
            }
            self.set_debug_loc(bd.term.span);
            self.terminator(&fx, &bd.term.kind, bd.term.span)?;
        }
        Ok(())
    }

    /// In device code, a local that receives `gpu::shared::<T, N>()` lives in shared memory.
    fn place_shared_arrays(
        &mut self,
        body: &Body,
        tys: &[Ty],
        slots: &mut [PointerValue<'ctx>],
    ) -> R<()> {
        for bd in &body.blocks {
            let TerminatorKind::Call { callee, dest, .. } = &bd.term.kind else {
                continue;
            };
            if !callee.is_prelude_fn(self.p, "gpu::shared") {
                continue;
            }
            if !dest.proj.is_empty() {
                return Err(Error(format!(
                    "{}: a `gpu::shared` array must be bound to a local",
                    self.loc(bd.term.span)
                )));
            }
            let l = dest.local.0 as usize;
            let name = body.locals[l]
                .name
                .clone()
                .unwrap_or_else(|| format!("_{l}"));
            slots[l] = self.shared_array(&tys[l], &name)?;
        }
        Ok(())
    }

    /// A slot in the entry block (so loops do not grow the stack).
    pub fn temp(&self, fx: &Fx<'ctx>, ty: BasicTypeEnum<'ctx>) -> R<PointerValue<'ctx>> {
        let bld = self.ctx.create_builder();
        bld.position_before(&fx.alloca_at);
        Ok(bld.build_alloca(ty, "tmp")?)
    }

    /// Whether the verifier proved the obligation, so that its run-time check can go.
    pub fn proven(&self, fx: &Fx<'ctx>, kind: &str, span: Span) -> bool {
        fx.verified && self.proofs.proven(kind, span)
    }

    // ---------------------------------------------------------------- places and operands

    pub fn place(&mut self, fx: &Fx<'ctx>, place: &Place, span: Span) -> R<PlaceRef<'ctx>> {
        let l = place.local.0 as usize;
        let mut pr = PlaceRef {
            ptr: fx.slots[l],
            ty: fx.tys[l].clone(),
            len: None,
            variant: None,
        };
        for proj in &place.proj {
            pr = self.project(fx, pr, proj, span)?;
        }
        Ok(pr)
    }

    fn project(
        &mut self,
        fx: &Fx<'ctx>,
        pr: PlaceRef<'ctx>,
        proj: &Proj,
        span: Span,
    ) -> R<PlaceRef<'ctx>> {
        let i64t = self.ctx.i64_type();
        Ok(match proj {
            Proj::Deref => match &pr.ty {
                Ty::Ref(_, t) if Layout::unsized_ty(t) => {
                    let (data, len) = self.load_fat(pr.ptr)?;
                    PlaceRef {
                        ptr: data,
                        ty: (**t).clone(),
                        len: Some(len),
                        variant: None,
                    }
                }
                Ty::Ref(_, t) => {
                    let p = self.b.build_load(self.lay.ptr(), pr.ptr, "deref")?;
                    PlaceRef {
                        ptr: p.into_pointer_value(),
                        ty: (**t).clone(),
                        len: None,
                        variant: None,
                    }
                }
                Ty::Adt(_, args) if self.lay.kind(&pr.ty) == Kind::Boxed => {
                    let p = self.b.build_load(self.lay.ptr(), pr.ptr, "unbox")?;
                    PlaceRef {
                        ptr: p.into_pointer_value(),
                        ty: args.first().cloned().unwrap_or(Ty::unit()),
                        len: None,
                        variant: None,
                    }
                }
                t if self.lay.kind(t) == Kind::Vec => {
                    let (data, len) = self.vec_parts(pr.ptr)?;
                    let elem = self.lay.elem(t).unwrap_or(Ty::unit());
                    let is_string = matches!(t, Ty::Adt(id, _) if Some(*id) == self.p.lang.string);
                    PlaceRef {
                        ptr: data,
                        ty: if is_string {
                            Ty::Str
                        } else {
                            Ty::Slice(Box::new(elem))
                        },
                        len: Some(len),
                        variant: None,
                    }
                }
                _ => return unsupported(self.loc(span), "this dereference"),
            },
            Proj::Downcast(v) => PlaceRef {
                variant: Some(*v),
                ..pr
            },
            Proj::Field(i) => {
                if let Some(v) = pr.variant {
                    let enum_ty = self.lay.llty(&pr.ty);
                    let payload = self.b.build_struct_gep(enum_ty, pr.ptr, 1, "payload")?;
                    let vty = self.lay.variant(&pr.ty, v);
                    let fty = self.lay.variant_fields(&pr.ty, v)[*i as usize].clone();
                    let ptr = self.b.build_struct_gep(vty, payload, *i, "field")?;
                    PlaceRef {
                        ptr,
                        ty: fty,
                        len: None,
                        variant: None,
                    }
                } else {
                    let st = self.lay.llty(&pr.ty);
                    let fty = self
                        .lay
                        .variant_fields(&pr.ty, 0)
                        .get(*i as usize)
                        .cloned()
                        .ok_or_else(|| Error(format!("{}: no such field", self.loc(span))))?;
                    let ptr = self.b.build_struct_gep(st, pr.ptr, *i, "field")?;
                    PlaceRef {
                        ptr,
                        ty: fty,
                        len: None,
                        variant: None,
                    }
                }
            }
            Proj::Index(l) => {
                let idx = self
                    .b
                    .build_load(i64t, fx.slots[l.0 as usize], "idx")?
                    .into_int_value();
                let elem = self
                    .lay
                    .elem(&pr.ty)
                    .ok_or_else(|| Error(format!("{}: indexing a non-sequence", self.loc(span))))?;
                let (base, len) = match &pr.ty {
                    Ty::Array(_, n) => {
                        let n = match **n {
                            Ty::ConstVal(n) => n,
                            _ => 0,
                        };
                        (pr.ptr, i64t.const_int(n, false))
                    }
                    Ty::Slice(_) | Ty::Str => (
                        pr.ptr,
                        pr.len
                            .ok_or_else(|| Error("internal error: slice without length".into()))?,
                    ),
                    _ => self.vec_parts(pr.ptr)?,
                };
                if self.proven(fx, "bounds", span) {
                    if matches!(pr.ty, Ty::Array(..)) {
                        self.guard_below(fx, idx, len)?;
                    } else {
                        self.assume_below(idx, len)?;
                    }
                } else {
                    self.bounds_check(fx, idx, len, span)?;
                }
                // SAFETY: the index is below the length (checked above or proven).
                let ptr = unsafe {
                    self.b
                        .build_in_bounds_gep(self.lay.llty(&elem), base, &[idx], "elem")?
                };
                PlaceRef {
                    ptr,
                    ty: elem,
                    len: None,
                    variant: None,
                }
            }
        })
    }

    /// The data pointer and length of a Vec or String at `ptr`.
    pub fn vec_parts(&self, ptr: PointerValue<'ctx>) -> R<(PointerValue<'ctx>, IntValue<'ctx>)> {
        let v = self.lay.vec();
        let dp = self.b.build_struct_gep(v, ptr, 0, "datap")?;
        let lp = self.b.build_struct_gep(v, ptr, 1, "lenp")?;
        let data = self.b.build_load(self.lay.ptr(), dp, "data")?;
        let len = self.b.build_load(self.ctx.i64_type(), lp, "len")?;
        Ok((data.into_pointer_value(), len.into_int_value()))
    }

    /// The data pointer and length of a fat pointer value (`&[T]`, `&str`).
    pub fn fat_parts(&self, fat: BasicValueEnum<'ctx>) -> R<(PointerValue<'ctx>, IntValue<'ctx>)> {
        let fat = fat.into_struct_value();
        let data = self.b.build_extract_value(fat, 0, "data")?;
        let len = self.b.build_extract_value(fat, 1, "len")?;
        Ok((data.into_pointer_value(), len.into_int_value()))
    }

    /// The parts of the fat pointer stored at `ptr`.
    pub fn load_fat(&self, ptr: PointerValue<'ctx>) -> R<(PointerValue<'ctx>, IntValue<'ctx>)> {
        let fat = self.b.build_load(self.lay.fat(), ptr, "fat")?;
        self.fat_parts(fat)
    }

    /// Panics with Rust's out-of-bounds message unless `idx < len`.
    pub fn bounds_check(
        &mut self,
        fx: &Fx<'ctx>,
        idx: IntValue<'ctx>,
        len: IntValue<'ctx>,
        span: Span,
    ) -> R<()> {
        let ok = self
            .b
            .build_int_compare(IntPredicate::ULT, idx, len, "inb")?;
        let loc = self.loc_value(fx, span)?;
        self.check(fx, ok, |cg| {
            let f = cg.rt_fn("vez_panic_bounds");
            cg.b.build_call(f, &[idx.into(), len.into(), loc.0.into(), loc.1.into()], "")?;
            Ok(())
        })
    }

    /// Tells LLVM that `idx < len`, which the verifier proved: what a run-time check would
    /// have taught the optimizer (trip counts, value ranges), without the branch.
    pub fn assume_below(&mut self, idx: IntValue<'ctx>, len: IntValue<'ctx>) -> R<()> {
        let below = self
            .b
            .build_int_compare(IntPredicate::ULT, idx, len, "proved")?;
        let assume = self.intrinsic("llvm.assume", &[])?;
        self.b.build_call(assume, &[below.into()], "")?;
        Ok(())
    }

    /// Like `assume_below`, but as a branch to `vez_proven_guard` while LLVM optimises: the
    /// exit bounds the trip count of a loop that walks a fixed-size array, as Rust's bounds
    /// check does, so such loops are fully unrolled; the branches left after optimisation
    /// become assumptions again (`link::strip_proven_guards`).
    pub fn guard_below(
        &mut self,
        fx: &Fx<'ctx>,
        idx: IntValue<'ctx>,
        len: IntValue<'ctx>,
    ) -> R<()> {
        if self.device {
            return self.assume_below(idx, len);
        }
        let below = self
            .b
            .build_int_compare(IntPredicate::ULT, idx, len, "proved")?;
        self.check(fx, below, |cg| {
            let f = cg.rt_fn("vez_proven_guard");
            cg.b.build_call(f, &[], "")?;
            Ok(())
        })
    }

    /// An empty String in a stack slot, to format into.
    pub fn new_buf(&self, fx: &Fx<'ctx>) -> R<PointerValue<'ctx>> {
        let buf = self.temp(fx, self.lay.vec().into())?;
        self.b.build_store(buf, self.lay.vec().const_zero())?;
        Ok(buf)
    }

    /// Branches on `ok`: on false runs `fail` (which must not return), then continues.
    pub fn check(
        &mut self,
        fx: &Fx<'ctx>,
        ok: IntValue<'ctx>,
        fail: impl FnOnce(&mut Self) -> R<()>,
    ) -> R<()> {
        let good = self.ctx.append_basic_block(fx.fv, "ok");
        let bad = self.ctx.append_basic_block(fx.fv, "panic");
        self.b.build_conditional_branch(ok, good, bad)?;
        self.b.position_at_end(bad);
        fail(self)?;
        self.b.build_unreachable()?;
        self.b.position_at_end(good);
        Ok(())
    }

    /// The location reported by a panic at `span` (the caller's in a prelude function).
    pub fn loc_value(
        &mut self,
        fx: &Fx<'ctx>,
        span: Span,
    ) -> R<(PointerValue<'ctx>, IntValue<'ctx>)> {
        if let Some(l) = fx.caller_loc {
            return Ok(l);
        }
        let s = self.loc(span);
        if self.device {
            // Device code passes (file, line) on, the two parts of a location that CUDA's
            // `__assertfail` prints.
            let mut parts = s.rsplitn(3, ':');
            let _col = parts.next();
            let line: u64 = parts.next().and_then(|l| l.parse().ok()).unwrap_or(0);
            let file = parts.next().unwrap_or(&s).to_string();
            let (f, _) = self.str_const(file.as_bytes());
            return Ok((f, self.ctx.i64_type().const_int(line, false)));
        }
        Ok(self.str_const(s.as_bytes()))
    }

    /// A pointer to constant bytes and their length.
    pub fn str_const(&mut self, bytes: &[u8]) -> (PointerValue<'ctx>, IntValue<'ctx>) {
        let len = self.ctx.i64_type().const_int(bytes.len() as u64, false);
        if let Some(p) = self.strings.get(bytes) {
            return (*p, len);
        }
        // Device code's strings end in a NUL (CUDA's `__assertfail` reads C strings); the
        // length does not count it.
        let arr = self.ctx.const_string(bytes, self.device);
        let g = self.module.add_global(arr.get_type(), None, "str");
        g.set_initializer(&arr);
        g.set_constant(true);
        g.set_linkage(Linkage::Private);
        g.set_unnamed_addr(true);
        let p = g.as_pointer_value();
        self.strings.insert(bytes.to_vec(), p);
        (p, len)
    }

    /// A run-time library function.
    pub fn rt_fn(&self, name: &str) -> FunctionValue<'ctx> {
        if let Some(f) = self.module.get_function(name) {
            return f;
        }
        let c = self.ctx;
        let p = self.lay.ptr();
        let i64t = c.i64_type();
        let i32t = c.i32_type();
        let void = c.void_type();
        let ty = match name {
            "vez_alloc" | "vez_alloc_zeroed" => p.fn_type(&[i64t.into()], false),
            "vez_array_bytes" => i64t.fn_type(&[i64t.into(), i64t.into()], false),
            "vez_vec_reserve" => void.fn_type(&[p.into(), i64t.into(), i64t.into()], false),
            "vez_buf_push" => void.fn_type(&[p.into(), p.into(), i64t.into()], false),
            "vez_print" => void.fn_type(&[i32t.into(), p.into()], false),
            "vez_fmt_i64" | "vez_fmt_u64" => void.fn_type(&[p.into(), i64t.into()], false),
            "vez_fmt_i128" | "vez_fmt_u128" => {
                void.fn_type(&[p.into(), c.i128_type().into()], false)
            }
            "vez_fmt_bool" => void.fn_type(&[p.into(), i32t.into()], false),
            "vez_fmt_char" => void.fn_type(&[p.into(), i32t.into(), i32t.into()], false),
            "vez_fmt_str" => void.fn_type(&[p.into(), p.into(), i64t.into(), i32t.into()], false),
            "vez_fmt_f64" => void.fn_type(&[p.into(), c.f64_type().into(), i32t.into()], false),
            "vez_fmt_f32" => void.fn_type(&[p.into(), c.f32_type().into(), i32t.into()], false),
            "vez_fmt_int_spec" => void.fn_type(
                &[
                    p.into(),
                    c.i128_type().into(),
                    i32t.into(),
                    i32t.into(),
                    i32t.into(),
                    p.into(),
                ],
                false,
            ),
            "vez_fmt_float_spec" => void.fn_type(
                &[
                    p.into(),
                    c.f64_type().into(),
                    i32t.into(),
                    i32t.into(),
                    p.into(),
                ],
                false,
            ),
            "vez_fmt_str_spec" => void.fn_type(&[p.into(), p.into(), i64t.into(), p.into()], false),
            "vez_fmt_char_spec" => void.fn_type(&[p.into(), i32t.into(), p.into()], false),
            "vez_dbg_entry" => i64t.fn_type(&[p.into(), p.into(), i64t.into(), i32t.into()], false),
            "vez_dbg_entry_end" => void.fn_type(&[p.into(), p.into(), i64t.into()], false),
            "vez_dbg_close" => void.fn_type(
                &[p.into(), p.into(), i64t.into(), i32t.into(), i32t.into()],
                false,
            ),
            "vez_set_args" => void.fn_type(&[i32t.into(), p.into()], false),
            "vez_arg_strings" => void.fn_type(&[p.into()], false),
            "vez_exit" => void.fn_type(&[i32t.into()], false),
            "vez_proven_guard" => void.fn_type(&[], false),
            "vez_read_line" => i64t.fn_type(&[p.into()], false),
            "vez_panic" => void.fn_type(&[p.into(), i64t.into(), p.into(), i64t.into()], false),
            "vez_panic_bounds" => {
                void.fn_type(&[i64t.into(), i64t.into(), p.into(), i64t.into()], false)
            }
            "vez_panic_slice" => void.fn_type(
                &[
                    i64t.into(),
                    i64t.into(),
                    i64t.into(),
                    i32t.into(),
                    p.into(),
                    i64t.into(),
                ],
                false,
            ),
            "vez_str_slice_check" => void.fn_type(
                &[
                    p.into(),
                    i64t.into(),
                    i64t.into(),
                    i64t.into(),
                    i32t.into(),
                    p.into(),
                    i64t.into(),
                ],
                false,
            ),
            _ => void.fn_type(&[], false),
        };
        let device_panic = self.device && name.starts_with("vez_panic");
        let linkage = if device_panic {
            Linkage::Internal
        } else {
            Linkage::External
        };
        let f = self.module.add_function(name, ty, Some(linkage));
        if device_panic {
            self.device_panic_body(name, f);
        }
        if name.starts_with("vez_panic") || name == "vez_exit" || name == "vez_proven_guard" {
            let kind = inkwell::attributes::Attribute::get_named_enum_kind_id("noreturn");
            let cold = inkwell::attributes::Attribute::get_named_enum_kind_id("cold");
            f.add_attribute(
                inkwell::attributes::AttributeLoc::Function,
                c.create_enum_attribute(kind, 0),
            );
            f.add_attribute(
                inkwell::attributes::AttributeLoc::Function,
                c.create_enum_attribute(cold, 0),
            );
        }
        f
    }

    /// Panics with a constant message.
    pub fn panic_msg(&mut self, fx: &Fx<'ctx>, msg: &str, span: Span) -> R<()> {
        let (m, n) = self.str_const(msg.as_bytes());
        let loc = self.loc_value(fx, span)?;
        let f = self.rt_fn("vez_panic");
        self.b
            .build_call(f, &[m.into(), n.into(), loc.0.into(), loc.1.into()], "")?;
        Ok(())
    }

    pub fn operand(
        &mut self,
        fx: &Fx<'ctx>,
        op: &Operand,
        span: Span,
    ) -> R<(BasicValueEnum<'ctx>, Ty)> {
        match op {
            Operand::Copy(p) | Operand::Move(p) => {
                let pr = self.place(fx, p, span)?;
                let v = self.b.build_load(self.lay.llty(&pr.ty), pr.ptr, "v")?;
                Ok((v, pr.ty))
            }
            Operand::Const(c) => {
                let ty = c.ty.subst(&fx.args);
                let v = self.constant(&c.value, &ty, span)?;
                Ok((v, ty))
            }
        }
    }

    pub fn int_const(&self, bits: u32, v: u128) -> IntValue<'ctx> {
        let t = self.ctx.custom_width_int_type(bits);
        if bits <= 64 {
            t.const_int(v as u64, false)
        } else {
            t.const_int_arbitrary_precision(&[v as u64, (v >> 64) as u64])
        }
    }

    fn constant(&mut self, v: &ConstValue, ty: &Ty, span: Span) -> R<BasicValueEnum<'ctx>> {
        Ok(match v {
            ConstValue::Int(n) => self.int_of(ty, *n as i128)?,
            ConstValue::NegInt(n) => self.int_of(ty, (*n as i128).wrapping_neg())?,
            ConstValue::Float(f) => match ty {
                Ty::Float(FloatTy::F32) => self.ctx.f32_type().const_float(*f).into(),
                _ => self.ctx.f64_type().const_float(*f).into(),
            },
            ConstValue::Bool(b) => self.ctx.bool_type().const_int(*b as u64, false).into(),
            ConstValue::Char(c) => self.ctx.i32_type().const_int(*c as u64, false).into(),
            ConstValue::Unit => self.lay.llty(ty).const_zero(),
            ConstValue::Str(s) => self.bytes_ref(s.as_bytes(), ty),
            ConstValue::ByteStr(b) => self.bytes_ref(b, ty),
            ConstValue::Item(id) => {
                let c = consts::eval(self.p, *id)
                    .map_err(|e| Error(format!("{}: {e}", self.loc(span))))?;
                self.const_item_value(ty, c)
                    .map_err(|e| Error(format!("{}: {e}", self.loc(span))))?
            }
        })
    }

    /// A `const` item's computed value as an LLVM constant of its type's layout (arrays,
    /// tuples and structs of constants included).
    fn const_item_value(&mut self, ty: &Ty, c: CVal) -> Result<BasicValueEnum<'ctx>, String> {
        let parts = |me: &mut Self, tys: &[Ty], vs: Vec<CVal>| {
            tys.iter()
                .zip(vs)
                .map(|(t, v)| me.const_item_value(t, v))
                .collect::<Result<Vec<_>, String>>()
        };
        Ok(match c {
            CVal::Int(n) => self.int_of(ty, n).map_err(|e| e.0)?,
            CVal::Float(f) => match ty {
                Ty::Float(FloatTy::F32) => self.ctx.f32_type().const_float(f).into(),
                _ => self.ctx.f64_type().const_float(f).into(),
            },
            CVal::Str(s) => self.bytes_ref(s.as_bytes(), ty),
            // `{ tag, payload }` with nothing in the payload, as `enum_value` builds it.
            CVal::Variant(v) if self.lay.kind(ty) == Kind::Enum => {
                let et = self.lay.llty(ty).into_struct_type();
                let payload = et
                    .get_field_type_at_index(1)
                    .ok_or("internal error: an enum without a payload")?;
                let tag = self.ctx.i32_type().const_int(v as u64, false);
                et.const_named_struct(&[tag.into(), payload.const_zero()])
                    .into()
            }
            CVal::Variant(_) => return Err(format!("a constant of type {ty:?} is not supported")),
            CVal::Agg(vs) => match ty {
                Ty::Array(elem, _) => {
                    let tys = vec![(**elem).clone(); vs.len()];
                    let elems = parts(self, &tys, vs)?;
                    const_array(self.lay.llty(elem), &elems)
                        .ok_or("this constant array's elements are not supported")?
                }
                Ty::Tuple(tys) => {
                    let fields = parts(self, tys, vs)?;
                    self.ctx.const_struct(&fields, false).into()
                }
                Ty::Adt(..) => {
                    let tys = self.lay.variant_fields(ty, 0);
                    let fields = parts(self, &tys, vs)?;
                    self.ctx.const_struct(&fields, false).into()
                }
                _ => return Err(format!("a constant of type {ty:?} is not supported")),
            },
        })
    }

    fn int_of(&self, ty: &Ty, n: i128) -> R<BasicValueEnum<'ctx>> {
        Ok(match ty {
            Ty::Int(i) => self
                .int_const(i.bits(), consts::truncate(n, *i) as u128)
                .into(),
            Ty::Bool => self.ctx.bool_type().const_int(n as u64 & 1, false).into(),
            Ty::Char => self.ctx.i32_type().const_int(n as u64, false).into(),
            Ty::Float(FloatTy::F32) => self.ctx.f32_type().const_float(n as f64).into(),
            Ty::Float(FloatTy::F64) => self.ctx.f64_type().const_float(n as f64).into(),
            _ => self.lay.llty(ty).const_zero(),
        })
    }

    /// A `&str`, `&[u8]` or `&[u8; N]` to constant bytes.
    fn bytes_ref(&mut self, bytes: &[u8], ty: &Ty) -> BasicValueEnum<'ctx> {
        let (p, n) = self.str_const(bytes);
        match ty {
            Ty::Ref(_, t) if !Layout::unsized_ty(t) => p.into(),
            _ => self.fat_value(p, n).into(),
        }
    }

    pub fn fat_value(
        &self,
        p: PointerValue<'ctx>,
        n: IntValue<'ctx>,
    ) -> inkwell::values::StructValue<'ctx> {
        let fat = self.lay.fat();
        let v = fat.const_zero();
        let v = self
            .b
            .build_insert_value(v, p, 0, "")
            .expect("insert")
            .into_struct_value();
        self.b
            .build_insert_value(v, n, 1, "")
            .expect("insert")
            .into_struct_value()
    }

    // ---------------------------------------------------------------------- statements

    fn assign(&mut self, fx: &Fx<'ctx>, dest: &Place, rv: &Rvalue, span: Span) -> R<()> {
        // Large copies and fills go through memory.
        match rv {
            Rvalue::Use(Operand::Copy(src) | Operand::Move(src)) => {
                let s = self.place(fx, src, span)?;
                if !matches!(self.lay.kind(&s.ty), Kind::Scalar) && self.lay.size_of(&s.ty) > 64 {
                    let d = self.place(fx, dest, span)?;
                    let size = self
                        .ctx
                        .i64_type()
                        .const_int(self.lay.size_of(&s.ty), false);
                    self.b.build_memmove(d.ptr, 8, s.ptr, 8, size)?;
                    return Ok(());
                }
                let v = self.b.build_load(self.lay.llty(&s.ty), s.ptr, "v")?;
                let d = self.place(fx, dest, span)?;
                self.b.build_store(d.ptr, v)?;
                return Ok(());
            }
            Rvalue::Repeat(op, n) => {
                let (v, ty) = self.operand(fx, op, span)?;
                let d = self.place(fx, dest, span)?;
                self.fill(fx, d.ptr, &ty, v, self.ctx.i64_type().const_int(*n, false))?;
                return Ok(());
            }
            _ => {}
        }
        let v = self.rvalue(fx, dest, rv, span)?;
        if let Some(v) = v {
            let d = self.place(fx, dest, span)?;
            self.b.build_store(d.ptr, v)?;
        }
        Ok(())
    }

    /// Stores `v` into `n` consecutive elements at `ptr`.
    pub fn fill(
        &mut self,
        fx: &Fx<'ctx>,
        ptr: PointerValue<'ctx>,
        ty: &Ty,
        v: BasicValueEnum<'ctx>,
        n: IntValue<'ctx>,
    ) -> R<()> {
        let lt = self.lay.llty(ty);
        let size = self.lay.size_of(ty);
        let i64t = self.ctx.i64_type();
        if is_zero_constant(v) {
            let bytes = self
                .b
                .build_int_mul(n, i64t.const_int(size, false), "bytes")?;
            self.b
                .build_memset(ptr, 1, self.ctx.i8_type().const_zero(), bytes)?;
            return Ok(());
        }
        self.for_each(fx.fv, n, |cg, i| {
            // SAFETY: i < n, the number of elements at ptr.
            let p = unsafe { cg.b.build_in_bounds_gep(lt, ptr, &[i], "p")? };
            cg.b.build_store(p, v)?;
            Ok(())
        })
    }

    fn place_ty(&mut self, fx: &Fx<'ctx>, place: &Place) -> Ty {
        // Types of projections without generating code: walk the types only.
        let mut ty = fx.tys[place.local.0 as usize].clone();
        let mut variant = None;
        for p in &place.proj {
            ty = match p {
                Proj::Deref => match &ty {
                    Ty::Ref(_, t) => (**t).clone(),
                    Ty::Adt(_, a) if self.lay.kind(&ty) == Kind::Boxed => a[0].clone(),
                    t if self.lay.kind(t) == Kind::Vec => {
                        if matches!(t, Ty::Adt(id, _) if Some(*id) == self.p.lang.string) {
                            Ty::Str
                        } else {
                            Ty::Slice(Box::new(self.lay.elem(t).unwrap_or(Ty::unit())))
                        }
                    }
                    t => t.clone(),
                },
                Proj::Downcast(v) => {
                    variant = Some(*v);
                    continue;
                }
                Proj::Field(i) => {
                    let v = variant.take().unwrap_or(0);
                    self.lay
                        .variant_fields(&ty, v)
                        .get(*i as usize)
                        .cloned()
                        .unwrap_or(Ty::unit())
                }
                Proj::Index(_) => self.lay.elem(&ty).unwrap_or(Ty::unit()),
            };
        }
        ty
    }

    /// The value of an rvalue; `None` when it wrote the destination itself.
    fn rvalue(
        &mut self,
        fx: &Fx<'ctx>,
        dest: &Place,
        rv: &Rvalue,
        span: Span,
    ) -> R<Option<BasicValueEnum<'ctx>>> {
        let dty = self.place_ty(fx, dest);
        let i64t = self.ctx.i64_type();
        Ok(Some(match rv {
            Rvalue::Use(op) => self.operand(fx, op, span)?.0,
            Rvalue::Ref(_, place) => {
                let pr = self.place(fx, place, span)?;
                match pr.len {
                    Some(n) => self.fat_value(pr.ptr, n).into(),
                    None => pr.ptr.into(),
                }
            }
            Rvalue::Binary(op, a, b) => {
                let (av, at) = self.operand(fx, a, span)?;
                let (bv, bt) = self.operand(fx, b, span)?;
                self.binary(fx, *op, av, &at, bv, &bt, span)?
            }
            Rvalue::Unary(op, a) => {
                let (av, at) = self.operand(fx, a, span)?;
                match (op, &at) {
                    (UnOp::Neg, Ty::Int(i)) => {
                        let x = av.into_int_value();
                        if i.signed() && !self.proven(fx, "overflow", span) {
                            let min = self.int_const(i.bits(), i.min_value() as u128);
                            let ok = self.b.build_int_compare(IntPredicate::NE, x, min, "ok")?;
                            self.check(fx, ok, |cg| {
                                cg.panic_msg(fx, "attempt to negate with overflow", span)
                            })?;
                        }
                        self.b.build_int_neg(x, "neg")?.into()
                    }
                    (UnOp::Neg, Ty::Float(_)) => self
                        .b
                        .build_float_neg(av.into_float_value(), "fneg")?
                        .into(),
                    (UnOp::Not, _) => self.b.build_not(av.into_int_value(), "not")?.into(),
                    _ => return unsupported(self.loc(span), "this unary operator"),
                }
            }
            Rvalue::Cast(a) => {
                let (av, at) = self.operand(fx, a, span)?;
                self.cast(av, &at, &dty, span)?
            }
            Rvalue::Aggregate(kind, ops) => {
                let mut vals = Vec::new();
                for o in ops {
                    vals.push(self.operand(fx, o, span)?);
                }
                match kind {
                    AggregateKind::Vec => {
                        let elem = self.lay.elem(&dty).unwrap_or(Ty::unit());
                        let n = i64t.const_int(vals.len() as u64, false);
                        let data = self.alloc_array(&elem, n)?;
                        for (k, (v, _)) in vals.iter().enumerate() {
                            let idx = i64t.const_int(k as u64, false);
                            // SAFETY: k < n, the allocation's element count.
                            let p = unsafe {
                                self.b.build_in_bounds_gep(
                                    self.lay.llty(&elem),
                                    data,
                                    &[idx],
                                    "e",
                                )?
                            };
                            self.b.build_store(p, *v)?;
                        }
                        self.vec_value(data, n, n)?.into()
                    }
                    AggregateKind::Adt(_, v, _) if self.lay.kind(&dty) == Kind::Enum => {
                        let fields: Vec<BasicValueEnum> = vals.iter().map(|(v, _)| *v).collect();
                        self.enum_value(fx, &dty, *v, &fields)?
                    }
                    _ => {
                        let lt = self.lay.llty(&dty);
                        let mut agg = lt.const_zero();
                        for (k, (v, _)) in vals.iter().enumerate() {
                            agg = match agg {
                                BasicValueEnum::StructValue(s) => self
                                    .b
                                    .build_insert_value(s, *v, k as u32, "")?
                                    .as_basic_value_enum(),
                                BasicValueEnum::ArrayValue(a) => self
                                    .b
                                    .build_insert_value(a, *v, k as u32, "")?
                                    .as_basic_value_enum(),
                                other => other,
                            };
                        }
                        agg
                    }
                }
            }
            Rvalue::Repeat(..) => return Ok(None),
            Rvalue::VecRepeat(v, n) => {
                let (v, ty) = self.operand(fx, v, span)?;
                let (n, _) = self.operand(fx, n, span)?;
                let n = n.into_int_value();
                // Zeroed memory from calloc: fresh pages from the system are already zero,
                // so a large `vec![0; n]` is not written twice (Rust does the same).
                let data = if is_zero_constant(v) {
                    let bytes = self.array_bytes(n, self.lay.size_of(&ty))?;
                    let f = self.rt_fn("vez_alloc_zeroed");
                    basic(self.b.build_call(f, &[bytes.into()], "heap")?)?.into_pointer_value()
                } else {
                    let data = self.alloc_array(&ty, n)?;
                    self.fill(fx, data, &ty, v, n)?;
                    data
                };
                self.vec_value(data, n, n)?.into()
            }
            Rvalue::Len(place) => {
                let pr = self.place(fx, place, span)?;
                let n = match (&pr.ty, pr.len) {
                    (Ty::Array(_, n), _) => match **n {
                        Ty::ConstVal(n) => i64t.const_int(n, false),
                        _ => i64t.const_zero(),
                    },
                    (_, Some(n)) => n,
                    _ => self.vec_parts(pr.ptr)?.1,
                };
                self.int_resize(n, false, &dty)?
            }
            Rvalue::Discriminant(place) => {
                let pr = self.place(fx, place, span)?;
                let tag = self.enum_tag(&pr)?;
                self.int_resize(tag, false, &dty)?
            }
            Rvalue::Coerce(c, op) => {
                let (v, ty) = self.operand(fx, op, span)?;
                match c {
                    Coercion::Unsize => self.unsize(v, &ty)?,
                    Coercion::MutToConst => v,
                    Coercion::NeverToAny => {
                        self.b.build_unreachable()?;
                        let dead = self.ctx.append_basic_block(fx.fv, "dead");
                        self.b.position_at_end(dead);
                        self.lay.llty(&dty).const_zero()
                    }
                }
            }
            Rvalue::Format(pieces, ops) => {
                let buf = self.new_buf(fx)?;
                self.format_into(fx, buf, pieces, ops, span)?;
                self.b.build_load(self.lay.vec(), buf, "s")?
            }
            Rvalue::Clone(place) => {
                let pr = self.place(fx, place, span)?;
                self.clone_value(pr.ptr, &pr.ty)?
            }
        }))
    }

    /// The tag of an enum place, as i32.
    pub fn enum_tag(&self, pr: &PlaceRef<'ctx>) -> R<IntValue<'ctx>> {
        let et = self.lay.llty(&pr.ty);
        let tp = self.b.build_struct_gep(et, pr.ptr, 0, "tagp")?;
        Ok(self
            .b
            .build_load(self.ctx.i32_type(), tp, "tag")?
            .into_int_value())
    }

    /// An enum value of variant `v` with these fields.
    pub fn enum_value(
        &mut self,
        fx: &Fx<'ctx>,
        ty: &Ty,
        v: u32,
        fields: &[BasicValueEnum<'ctx>],
    ) -> R<BasicValueEnum<'ctx>> {
        let et = self.lay.llty(ty);
        let slot = self.temp(fx, et)?;
        self.b.build_store(slot, et.const_zero())?;
        let tp = self.b.build_struct_gep(et, slot, 0, "tagp")?;
        self.b
            .build_store(tp, self.ctx.i32_type().const_int(v as u64, false))?;
        let payload = self.b.build_struct_gep(et, slot, 1, "payload")?;
        let vt = self.lay.variant(ty, v);
        for (k, f) in fields.iter().enumerate() {
            let fp = self.b.build_struct_gep(vt, payload, k as u32, "f")?;
            self.b.build_store(fp, *f)?;
        }
        Ok(self.b.build_load(et, slot, "enum")?)
    }

    pub fn vec_value(
        &self,
        data: PointerValue<'ctx>,
        len: IntValue<'ctx>,
        cap: IntValue<'ctx>,
    ) -> R<inkwell::values::StructValue<'ctx>> {
        let v = self.lay.vec().const_zero();
        let v = self
            .b
            .build_insert_value(v, data, 0, "")?
            .into_struct_value();
        let v = self
            .b
            .build_insert_value(v, len, 1, "")?
            .into_struct_value();
        Ok(self
            .b
            .build_insert_value(v, cap, 2, "")?
            .into_struct_value())
    }

    /// Heap memory for `n` elements of `ty`.
    pub fn alloc_array(&mut self, ty: &Ty, n: IntValue<'ctx>) -> R<PointerValue<'ctx>> {
        let bytes = self.array_bytes(n, self.lay.size_of(ty))?;
        let f = self.rt_fn("vez_alloc");
        let p = self.b.build_call(f, &[bytes.into()], "heap")?;
        Ok(basic(p)?.into_pointer_value())
    }

    /// The bytes of `n` elements of `size` bytes: a constant count is multiplied here, any
    /// other by the run time, which ends the program when the product exceeds `isize::MAX`.
    pub fn array_bytes(&mut self, n: IntValue<'ctx>, size: u64) -> R<IntValue<'ctx>> {
        let i64t = self.ctx.i64_type();
        if let Some(k) = n.get_zero_extended_constant() {
            if let Some(b) = k.checked_mul(size).filter(|b| *b <= i64::MAX as u64) {
                return Ok(i64t.const_int(b, false));
            }
        }
        let f = self.rt_fn("vez_array_bytes");
        let args = [n.into(), i64t.const_int(size, false).into()];
        Ok(basic(self.b.build_call(f, &args, "bytes")?)?.into_int_value())
    }

    /// `&[T; N]`, `&Vec<T>` or `&String` to a fat pointer.
    fn unsize(&mut self, v: BasicValueEnum<'ctx>, ty: &Ty) -> R<BasicValueEnum<'ctx>> {
        let Ty::Ref(_, inner) = ty else {
            return Ok(v);
        };
        match &**inner {
            Ty::Array(_, n) => {
                let n = match **n {
                    Ty::ConstVal(n) => n,
                    _ => 0,
                };
                let n = self.ctx.i64_type().const_int(n, false);
                Ok(self.fat_value(v.into_pointer_value(), n).into())
            }
            t if self.lay.kind(t) == Kind::Vec => {
                let (d, n) = self.vec_parts(v.into_pointer_value())?;
                Ok(self.fat_value(d, n).into())
            }
            _ => Ok(v),
        }
    }

    /// Resizes an integer to the integer type `to`.
    pub fn int_resize(&self, v: IntValue<'ctx>, signed: bool, to: &Ty) -> R<BasicValueEnum<'ctx>> {
        let bits = match to {
            Ty::Int(i) => i.bits(),
            Ty::Char => 32,
            Ty::Bool => 1,
            _ => return Ok(v.into()),
        };
        let from = v.get_type().get_bit_width();
        let t = self.ctx.custom_width_int_type(bits);
        Ok(if from == bits {
            v.into()
        } else if from > bits {
            self.b.build_int_truncate(v, t, "trunc")?.into()
        } else if signed {
            self.b.build_int_s_extend(v, t, "sext")?.into()
        } else {
            self.b.build_int_z_extend(v, t, "zext")?.into()
        })
    }

    /// `as` casts: integers wrap or extend, float to integer saturates (Rust's semantics).
    fn cast(
        &mut self,
        v: BasicValueEnum<'ctx>,
        from: &Ty,
        to: &Ty,
        span: Span,
    ) -> R<BasicValueEnum<'ctx>> {
        let signed = matches!(from, Ty::Int(i) if i.signed());
        Ok(match (from, to) {
            (Ty::Int(_) | Ty::Bool | Ty::Char, Ty::Int(_) | Ty::Char) => {
                self.int_resize(v.into_int_value(), signed, to)?
            }
            (Ty::Int(_), Ty::Float(f)) => {
                let ft = self.float_ty(*f);
                if signed {
                    self.b
                        .build_signed_int_to_float(v.into_int_value(), ft, "sitofp")?
                        .into()
                } else {
                    self.b
                        .build_unsigned_int_to_float(v.into_int_value(), ft, "uitofp")?
                        .into()
                }
            }
            (Ty::Float(_), Ty::Int(i)) => {
                let name = if i.signed() {
                    "llvm.fptosi.sat"
                } else {
                    "llvm.fptoui.sat"
                };
                let it = self.ctx.custom_width_int_type(i.bits());
                let f = self.intrinsic(name, &[it.into(), v.get_type()])?;
                basic(self.b.build_call(f, &[v.into()], "fptoi")?)?
            }
            (Ty::Float(a), Ty::Float(b)) if a != b => {
                let ft = self.float_ty(*b);
                if *b == FloatTy::F64 {
                    self.b
                        .build_float_ext(v.into_float_value(), ft, "fpext")?
                        .into()
                } else {
                    self.b
                        .build_float_trunc(v.into_float_value(), ft, "fptrunc")?
                        .into()
                }
            }
            (a, b) if a == b => v,
            (Ty::Float(_), Ty::Float(_)) => v,
            _ => return unsupported(self.loc(span), "this cast"),
        })
    }

    pub fn float_ty(&self, f: FloatTy) -> inkwell::types::FloatType<'ctx> {
        match f {
            FloatTy::F32 => self.ctx.f32_type(),
            FloatTy::F64 => self.ctx.f64_type(),
        }
    }

    pub fn intrinsic(&self, name: &str, tys: &[BasicTypeEnum<'ctx>]) -> R<FunctionValue<'ctx>> {
        Intrinsic::find(name)
            .and_then(|i| i.get_declaration(&self.module, tys))
            .ok_or_else(|| Error(format!("internal error: no LLVM intrinsic `{name}`")))
    }

    #[allow(clippy::too_many_arguments)]
    fn binary(
        &mut self,
        fx: &Fx<'ctx>,
        op: BinOp,
        av: BasicValueEnum<'ctx>,
        at: &Ty,
        bv: BasicValueEnum<'ctx>,
        bt: &Ty,
        span: Span,
    ) -> R<BasicValueEnum<'ctx>> {
        // Comparisons of references compare what they point to.
        if let (Ty::Ref(_, inner), true) = (at, is_comparison(op)) {
            let inner = (**inner).clone();
            if Layout::unsized_ty(&inner) || !matches!(self.lay.kind(&inner), Kind::Scalar) {
                let a = self.spill(fx, av)?;
                let b = self.spill(fx, bv)?;
                return self.compare_ptrs(op, a, b, at);
            }
            let lt = self.lay.llty(&inner);
            let a = self.b.build_load(lt, av.into_pointer_value(), "a")?;
            let b = self.b.build_load(lt, bv.into_pointer_value(), "b")?;
            return self.binary(fx, op, a, &inner, b, &inner, span);
        }
        match at {
            Ty::Int(i) => self.int_binary(
                fx,
                op,
                *i,
                av.into_int_value(),
                bv.into_int_value(),
                bt,
                span,
            ),
            Ty::Bool | Ty::Char => {
                let (a, b) = (av.into_int_value(), bv.into_int_value());
                Ok(match op {
                    BinOp::BitAnd | BinOp::And => self.b.build_and(a, b, "and")?.into(),
                    BinOp::BitOr | BinOp::Or => self.b.build_or(a, b, "or")?.into(),
                    BinOp::BitXor => self.b.build_xor(a, b, "xor")?.into(),
                    _ => self
                        .b
                        .build_int_compare(int_pred(op, false), a, b, "cmp")?
                        .into(),
                })
            }
            Ty::Float(_) => {
                let (a, b) = (av.into_float_value(), bv.into_float_value());
                Ok(match op {
                    BinOp::Add => self.b.build_float_add(a, b, "fadd")?.into(),
                    BinOp::Sub => self.b.build_float_sub(a, b, "fsub")?.into(),
                    BinOp::Mul => self.b.build_float_mul(a, b, "fmul")?.into(),
                    BinOp::Div => self.b.build_float_div(a, b, "fdiv")?.into(),
                    BinOp::Rem => self.b.build_float_rem(a, b, "frem")?.into(),
                    _ => {
                        let pred = match op {
                            BinOp::Eq => FloatPredicate::OEQ,
                            BinOp::Ne => FloatPredicate::UNE,
                            BinOp::Lt => FloatPredicate::OLT,
                            BinOp::Le => FloatPredicate::OLE,
                            BinOp::Gt => FloatPredicate::OGT,
                            _ => FloatPredicate::OGE,
                        };
                        self.b.build_float_compare(pred, a, b, "fcmp")?.into()
                    }
                })
            }
            _ if is_comparison(op) => {
                let a = self.spill(fx, av)?;
                let b = self.spill(fx, bv)?;
                self.compare_ptrs(op, a, b, &Ty::Ref(false, Box::new(at.clone())))
            }
            _ => unsupported(self.loc(span), "this operator on these operand types"),
        }
    }

    /// A value in a fresh stack slot (to pass it by pointer to a helper).
    pub fn spill(&self, fx: &Fx<'ctx>, v: BasicValueEnum<'ctx>) -> R<PointerValue<'ctx>> {
        let s = self.temp(fx, v.get_type())?;
        self.b.build_store(s, v)?;
        Ok(s)
    }

    /// `==`, `<`, ... on values of any type behind the pointers `a` and `b` (of type `&T`
    /// each, i.e. `ref_ty`): through the type's comparison helper.
    fn compare_ptrs(
        &mut self,
        op: BinOp,
        a: PointerValue<'ctx>,
        b: PointerValue<'ctx>,
        ref_ty: &Ty,
    ) -> R<BasicValueEnum<'ctx>> {
        let f = self.cmp_fn(ref_ty)?;
        let c = basic(self.b.build_call(f, &[a.into(), b.into()], "cmp")?)?.into_int_value();
        let i32t = self.ctx.i32_type();
        let is = |cg: &Self, k: i64| {
            cg.b.build_int_compare(IntPredicate::EQ, c, i32t.const_int(k as u64, true), "is")
        };
        Ok(match op {
            BinOp::Eq => is(self, 0)?.into(),
            BinOp::Ne => self.b.build_not(is(self, 0)?, "ne")?.into(),
            BinOp::Lt => is(self, -1)?.into(),
            BinOp::Gt => is(self, 1)?.into(),
            BinOp::Le => {
                let x = is(self, -1)?;
                let y = is(self, 0)?;
                self.b.build_or(x, y, "le")?.into()
            }
            _ => {
                let x = is(self, 1)?;
                let y = is(self, 0)?;
                self.b.build_or(x, y, "ge")?.into()
            }
        })
    }

    #[allow(clippy::too_many_arguments)]
    fn int_binary(
        &mut self,
        fx: &Fx<'ctx>,
        op: BinOp,
        i: IntTy,
        a: IntValue<'ctx>,
        b: IntValue<'ctx>,
        bt: &Ty,
        span: Span,
    ) -> R<BasicValueEnum<'ctx>> {
        let s = i.signed();
        let checked = !self.proven(fx, "overflow", span);
        Ok(match op {
            BinOp::Add | BinOp::Sub | BinOp::Mul => {
                if !checked {
                    return Ok(match (op, s) {
                        (BinOp::Add, true) => self.b.build_int_nsw_add(a, b, "add")?,
                        (BinOp::Add, false) => self.b.build_int_nuw_add(a, b, "add")?,
                        (BinOp::Sub, true) => self.b.build_int_nsw_sub(a, b, "sub")?,
                        (BinOp::Sub, false) => self.b.build_int_nuw_sub(a, b, "sub")?,
                        (_, true) => self.b.build_int_nsw_mul(a, b, "mul")?,
                        (_, false) => self.b.build_int_nuw_mul(a, b, "mul")?,
                    }
                    .into());
                }
                let (name, what) = match op {
                    BinOp::Add => (
                        if s {
                            "llvm.sadd.with.overflow"
                        } else {
                            "llvm.uadd.with.overflow"
                        },
                        "add",
                    ),
                    BinOp::Sub => (
                        if s {
                            "llvm.ssub.with.overflow"
                        } else {
                            "llvm.usub.with.overflow"
                        },
                        "subtract",
                    ),
                    _ => (
                        if s {
                            "llvm.smul.with.overflow"
                        } else {
                            "llvm.umul.with.overflow"
                        },
                        "multiply",
                    ),
                };
                let f = self.intrinsic(name, &[a.get_type().into()])?;
                let r =
                    basic(self.b.build_call(f, &[a.into(), b.into()], "ov")?)?.into_struct_value();
                let v = self.b.build_extract_value(r, 0, "v")?;
                let o = self.b.build_extract_value(r, 1, "o")?.into_int_value();
                let ok = self.b.build_not(o, "ok")?;
                let msg = format!("attempt to {what} with overflow");
                self.check(fx, ok, |cg| cg.panic_msg(fx, &msg, span))?;
                v
            }
            BinOp::Div | BinOp::Rem => {
                let div = op == BinOp::Div;
                if !self.proven(fx, "div-zero", span) {
                    let zero = a.get_type().const_zero();
                    let ok = self.b.build_int_compare(IntPredicate::NE, b, zero, "nz")?;
                    let msg = if div {
                        "attempt to divide by zero"
                    } else {
                        "attempt to calculate the remainder with a divisor of zero"
                    };
                    self.check(fx, ok, |cg| cg.panic_msg(fx, msg, span))?;
                }
                if s && checked {
                    let min = self.int_const(i.bits(), i.min_value() as u128);
                    let m1 = a.get_type().const_all_ones();
                    let x = self
                        .b
                        .build_int_compare(IntPredicate::EQ, a, min, "ismin")?;
                    let y = self.b.build_int_compare(IntPredicate::EQ, b, m1, "ism1")?;
                    let bad = self.b.build_and(x, y, "bad")?;
                    let ok = self.b.build_not(bad, "ok")?;
                    let msg = if div {
                        "attempt to divide with overflow"
                    } else {
                        "attempt to calculate the remainder with overflow"
                    };
                    self.check(fx, ok, |cg| cg.panic_msg(fx, msg, span))?;
                }
                match (div, s) {
                    (true, true) => self.b.build_int_signed_div(a, b, "div")?,
                    (true, false) => self.b.build_int_unsigned_div(a, b, "div")?,
                    (false, true) => self.b.build_int_signed_rem(a, b, "rem")?,
                    (false, false) => self.b.build_int_unsigned_rem(a, b, "rem")?,
                }
                .into()
            }
            BinOp::Shl | BinOp::Shr => {
                let bsigned = matches!(bt, Ty::Int(j) if j.signed());
                let _ = bsigned;
                let bits = i.bits();
                if checked {
                    let lim = b.get_type().const_int(bits as u64, false);
                    let ok = self.b.build_int_compare(IntPredicate::ULT, b, lim, "inw")?;
                    let msg = if op == BinOp::Shl {
                        "attempt to shift left with overflow"
                    } else {
                        "attempt to shift right with overflow"
                    };
                    self.check(fx, ok, |cg| cg.panic_msg(fx, msg, span))?;
                }
                // Rust masks the amount to the width when checks are off.
                let bw = b.get_type().get_bit_width();
                let amt = if bw > bits {
                    self.b.build_int_truncate(b, a.get_type(), "amt")?
                } else if bw < bits {
                    self.b.build_int_z_extend(b, a.get_type(), "amt")?
                } else {
                    b
                };
                let mask = a.get_type().const_int(bits as u64 - 1, false);
                let amt = self.b.build_and(amt, mask, "amt")?;
                if op == BinOp::Shl {
                    self.b.build_left_shift(a, amt, "shl")?.into()
                } else {
                    self.b.build_right_shift(a, amt, s, "shr")?.into()
                }
            }
            BinOp::BitAnd => self.b.build_and(a, b, "and")?.into(),
            BinOp::BitOr => self.b.build_or(a, b, "or")?.into(),
            BinOp::BitXor => self.b.build_xor(a, b, "xor")?.into(),
            _ if is_comparison(op) => self
                .b
                .build_int_compare(int_pred(op, s), a, b, "cmp")?
                .into(),
            _ => return unsupported(self.loc(span), "this integer operator"),
        })
    }

    // --------------------------------------------------------------------- terminators

    fn terminator(&mut self, fx: &Fx<'ctx>, t: &TerminatorKind, span: Span) -> R<()> {
        match t {
            TerminatorKind::Goto(bb) => {
                self.b
                    .build_unconditional_branch(fx.blocks[bb.0 as usize])?;
            }
            TerminatorKind::SwitchInt {
                discr,
                targets,
                otherwise,
            } => {
                let (v, _) = self.operand(fx, discr, span)?;
                let v = v.into_int_value();
                let it = v.get_type();
                let cases: Vec<(IntValue, BasicBlock)> = targets
                    .iter()
                    .map(|(k, bb)| {
                        (
                            self.int_const(it.get_bit_width(), *k),
                            fx.blocks[bb.0 as usize],
                        )
                    })
                    .collect();
                self.b
                    .build_switch(v, fx.blocks[otherwise.0 as usize], &cases)?;
            }
            TerminatorKind::Return => {
                let ret_ty = self.lay.llty(&fx.tys[0]);
                let v = self.b.build_load(ret_ty, fx.slots[0], "ret")?;
                self.b.build_return(Some(&v))?;
            }
            // A call in a `#[ghost] let` is erased (it returns, as the verifier checked).
            TerminatorKind::Call {
                dest,
                target: Some(bb),
                ..
            } if fx.ghost[dest.local.0 as usize] => {
                self.b
                    .build_unconditional_branch(fx.blocks[bb.0 as usize])?;
            }
            TerminatorKind::Call {
                callee,
                args,
                dest,
                target,
            } => {
                let v = self.call(fx, callee, args, dest, span)?;
                match target {
                    Some(bb) => {
                        if let Some(v) = v {
                            let d = self.place(fx, dest, span)?;
                            self.b.build_store(d.ptr, v)?;
                        }
                        self.b
                            .build_unconditional_branch(fx.blocks[bb.0 as usize])?;
                    }
                    None => {
                        self.b.build_unreachable()?;
                    }
                }
            }
            TerminatorKind::Assert {
                cond,
                kind: vez_mir::AssertKind::User(pieces),
                args,
                target,
            } => {
                if !self.proven(fx, "assert", span) {
                    let (c, _) = self.operand(fx, cond, span)?;
                    let c = c.into_int_value();
                    let pieces = pieces.clone();
                    let args = args.clone();
                    self.check(fx, c, |cg| {
                        if pieces.is_empty() {
                            let msg = format!("assertion failed: {}", cg.assert_text(span));
                            cg.panic_msg(fx, &msg, span)
                        } else {
                            cg.panic_fmt(fx, &pieces, &args, span)
                        }
                    })?;
                }
                self.b
                    .build_unconditional_branch(fx.blocks[target.0 as usize])?;
            }
            TerminatorKind::Panic { kind, pieces, args } => {
                match kind {
                    PanicKind::Panic if pieces.is_empty() => {
                        self.panic_msg(fx, "explicit panic", span)?
                    }
                    PanicKind::Panic => self.panic_fmt(fx, pieces, args, span)?,
                    PanicKind::Unreachable if pieces.is_empty() => {
                        self.panic_msg(fx, "internal error: entered unreachable code", span)?
                    }
                    PanicKind::Unreachable => {
                        let mut p = vec![FmtPiece::Lit(
                            "internal error: entered unreachable code: ".into(),
                        )];
                        p.extend(pieces.iter().cloned());
                        self.panic_fmt(fx, &p, args, span)?
                    }
                }
                self.b.build_unreachable()?;
            }
            TerminatorKind::Unreachable => {
                self.b.build_unreachable()?;
            }
        }
        Ok(())
    }

    /// The condition of `assert!(cond)` as written.
    fn assert_text(&self, span: Span) -> String {
        let s = crate::helpers::snippet_of(self, span);
        let inner = s
            .trim()
            .strip_prefix("assert!")
            .map(|r| r.trim())
            .and_then(|r| r.strip_prefix('('))
            .and_then(|r| r.strip_suffix(')'))
            .unwrap_or(&s);
        inner.trim().to_string()
    }

    fn panic_fmt(
        &mut self,
        fx: &Fx<'ctx>,
        pieces: &[FmtPiece],
        args: &[Operand],
        span: Span,
    ) -> R<()> {
        // A message of literals alone is a constant: no String is built (device code, which
        // has no allocator, panics this way too).
        if let Some(msg) = vez_typeck::hir::literal_text(pieces) {
            return self.panic_msg(fx, &msg, span);
        }
        let buf = self.new_buf(fx)?;
        self.format_into(fx, buf, pieces, args, span)?;
        let (d, n) = self.vec_parts(buf)?;
        let loc = self.loc_value(fx, span)?;
        let f = self.rt_fn("vez_panic");
        self.b
            .build_call(f, &[d.into(), n.into(), loc.0.into(), loc.1.into()], "")?;
        Ok(())
    }

    /// Appends formatted pieces to the String at `buf`.
    pub fn format_into(
        &mut self,
        fx: &Fx<'ctx>,
        buf: PointerValue<'ctx>,
        pieces: &[FmtPiece],
        args: &[Operand],
        span: Span,
    ) -> R<()> {
        let mut vals = Vec::new();
        for a in args {
            vals.push(self.operand(fx, a, span)?);
        }
        for piece in pieces {
            match piece {
                FmtPiece::Lit(s) => {
                    let (p, n) = self.str_const(s.as_bytes());
                    let f = self.rt_fn("vez_buf_push");
                    self.b
                        .build_call(f, &[buf.into(), p.into(), n.into()], "")?;
                }
                FmtPiece::Arg { index, spec } => {
                    let (v, ty) = vals.get(*index).cloned().ok_or_else(|| {
                        Error(format!("{}: missing format argument", self.loc(span)))
                    })?;
                    let p = self.spill(fx, v)?;
                    if spec.has_options() {
                        let sp = self.spec_value(fx, spec, &vals, span)?;
                        self.fmt_with(buf, p, &ty, spec.kind, Some(sp))?;
                    } else {
                        self.fmt_ptr(buf, p, &ty, spec.is_debug())?;
                    }
                }
            }
        }
        Ok(())
    }

    fn call(
        &mut self,
        fx: &Fx<'ctx>,
        callee: &Callee,
        args: &[Operand],
        dest: &Place,
        span: Span,
    ) -> R<Option<BasicValueEnum<'ctx>>> {
        match callee {
            Callee::Print(kind, pieces) => {
                let buf = self.new_buf(fx)?;
                self.format_into(fx, buf, pieces, args, span)?;
                let nl = matches!(kind, PrintKind::Println | PrintKind::Eprintln);
                if nl {
                    let (p, n) = self.str_const(b"\n");
                    let f = self.rt_fn("vez_buf_push");
                    self.b
                        .build_call(f, &[buf.into(), p.into(), n.into()], "")?;
                }
                match kind {
                    PrintKind::Format => Ok(Some(self.b.build_load(self.lay.vec(), buf, "s")?)),
                    _ => {
                        let fd = if matches!(kind, PrintKind::Eprint | PrintKind::Eprintln) {
                            2
                        } else {
                            1
                        };
                        let f = self.rt_fn("vez_print");
                        let fd = self.ctx.i32_type().const_int(fd, false);
                        self.b.build_call(f, &[fd.into(), buf.into()], "")?;
                        Ok(Some(self.lay.unit().const_zero().into()))
                    }
                }
            }
            Callee::Launch(_) if self.device => Err(Error(format!(
                "{}: a kernel cannot launch kernels",
                self.loc(span)
            ))),
            Callee::Launch(k) => {
                self.launch(fx, *k, args, span)?;
                Ok(Some(self.lay.unit().const_zero().into()))
            }
            Callee::Fn(fid, tys) => {
                let tys: Vec<Ty> = tys.iter().map(|t| t.subst(&fx.args)).collect();
                let inst = vez_typeck::mono::resolve_trait_call(self.p, *fid, tys);
                let f = self.p.func(inst.func);
                let mut vals = Vec::new();
                for a in args {
                    vals.push(self.operand(fx, a, span)?);
                }
                if self.device && f.attrs.from_prelude && f.name.starts_with("gpu::") {
                    let dty = self.place_ty(fx, dest);
                    let name = f.name.clone();
                    return self.gpu_intrinsic(&name, &dty);
                }
                if f.attrs.intrinsic || f.body.is_none() {
                    let dty = self.place_ty(fx, dest);
                    return self.intrinsic_call(fx, &inst, &vals, &dty, span).map(Some);
                }
                let fv = self.instance(&inst).map_err(Error)?;
                let mut argv: Vec<BasicMetadataValueEnum> =
                    vals.iter().map(|(v, _)| (*v).into()).collect();
                if self.is_track_caller(inst.func) {
                    let loc = self.loc_value(fx, span)?;
                    argv.push(loc.0.into());
                    argv.push(loc.1.into());
                }
                let r = self.b.build_call(fv, &argv, "call")?;
                Ok(Some(basic(r)?))
            }
        }
    }

    pub fn set_debug_loc(&self, span: Span) {
        if self.dbg.is_some() {
            crate::helpers::set_debug_loc(self, span);
        }
    }
}

/// Whether `v` is a constant whose bytes are all zero (integers, `false`, `+0.0`).
fn is_zero_constant(v: BasicValueEnum) -> bool {
    match v {
        BasicValueEnum::IntValue(i) => i.get_zero_extended_constant() == Some(0),
        BasicValueEnum::FloatValue(f) => {
            matches!(f.get_constant(), Some((x, _)) if x == 0.0 && x.is_sign_positive())
        }
        _ => false,
    }
}

/// The value a call returns (every VeZ function returns a value, `()` included).
pub fn basic<'ctx>(c: inkwell::values::CallSiteValue<'ctx>) -> R<BasicValueEnum<'ctx>> {
    match c.try_as_basic_value() {
        inkwell::values::ValueKind::Basic(v) => Ok(v),
        _ => Err(Error("internal error: a call without a value".into())),
    }
}

fn is_comparison(op: BinOp) -> bool {
    matches!(
        op,
        BinOp::Eq | BinOp::Ne | BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge
    )
}

fn int_pred(op: BinOp, signed: bool) -> IntPredicate {
    match (op, signed) {
        (BinOp::Eq, _) => IntPredicate::EQ,
        (BinOp::Ne, _) => IntPredicate::NE,
        (BinOp::Lt, true) => IntPredicate::SLT,
        (BinOp::Lt, false) => IntPredicate::ULT,
        (BinOp::Le, true) => IntPredicate::SLE,
        (BinOp::Le, false) => IntPredicate::ULE,
        (BinOp::Gt, true) => IntPredicate::SGT,
        (BinOp::Gt, false) => IntPredicate::UGT,
        (_, true) => IntPredicate::SGE,
        (_, false) => IntPredicate::UGE,
    }
}

/// An LLVM constant array of `elem`-typed constants.
fn const_array<'ctx>(
    elem: BasicTypeEnum<'ctx>,
    vals: &[BasicValueEnum<'ctx>],
) -> Option<BasicValueEnum<'ctx>> {
    Some(match elem {
        BasicTypeEnum::IntType(t) => {
            let v: Vec<_> = vals.iter().map(|v| v.into_int_value()).collect();
            t.const_array(&v).into()
        }
        BasicTypeEnum::FloatType(t) => {
            let v: Vec<_> = vals.iter().map(|v| v.into_float_value()).collect();
            t.const_array(&v).into()
        }
        BasicTypeEnum::ArrayType(t) => {
            let v: Vec<_> = vals.iter().map(|v| v.into_array_value()).collect();
            t.const_array(&v).into()
        }
        BasicTypeEnum::StructType(t) => {
            let v: Vec<_> = vals.iter().map(|v| v.into_struct_value()).collect();
            t.const_array(&v).into()
        }
        BasicTypeEnum::PointerType(t) => {
            let v: Vec<_> = vals.iter().map(|v| v.into_pointer_value()).collect();
            t.const_array(&v).into()
        }
        _ => return None,
    })
}
