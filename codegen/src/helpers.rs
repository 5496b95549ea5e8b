//! Per-type helper functions (Debug formatting, comparison, clone), printing of values, the
//! compiler-supplied meaning of `#[intrinsic]` prelude functions, and DWARF line tables.

use crate::func::{basic, Cg, Error, Fx, PlaceRef, R};
use crate::layout::{Kind, Layout};
use inkwell::debug_info::{
    AsDIScope, DICompileUnit, DIFlags, DIFlagsConstants, DISubprogram, DWARFEmissionKind,
    DWARFSourceLanguage, DebugInfoBuilder,
};
use inkwell::module::Linkage;
use inkwell::types::BasicType;
use inkwell::values::{BasicValueEnum, FunctionValue, IntValue, PointerValue};
use inkwell::IntPredicate;
use vez_syntax::Span;
use vez_typeck::hir::{CtorKind, FmtAlign, FmtCount, FmtKind, FmtSpec};
use vez_typeck::mono::Instance;
use vez_typeck::ty::{FloatTy, IntTy, Ty};

pub struct DebugInfo<'ctx> {
    pub builder: DebugInfoBuilder<'ctx>,
    pub unit: DICompileUnit<'ctx>,
    pub scope: Option<DISubprogram<'ctx>>,
    pub line_col: Box<dyn Fn(Span) -> (u32, u32) + 'ctx>,
}

pub fn snippet_of(cg: &Cg, span: Span) -> String {
    (cg.snippet)(span)
}

pub fn set_debug_loc(cg: &Cg, span: Span) {
    if let Some(d) = &cg.dbg {
        if let Some(sp) = d.scope {
            let (l, c) = (d.line_col)(span);
            let loc = d
                .builder
                .create_debug_location(cg.ctx, l, c, sp.as_debug_info_scope(), None);
            cg.b.set_current_debug_location(loc);
        }
    }
}

impl<'ctx, 'p> Cg<'ctx, 'p> {
    /// DWARF line tables for `-g` (gdb shows source lines).
    pub fn enable_debug_info(
        &mut self,
        file: (String, String),
        line_col: Box<dyn Fn(Span) -> (u32, u32) + 'ctx>,
    ) {
        let (builder, unit) = self.module.create_debug_info_builder(
            true,
            DWARFSourceLanguage::Rust,
            &file.0,
            &file.1,
            "vez",
            false,
            "",
            0,
            "",
            DWARFEmissionKind::LineTablesOnly,
            0,
            false,
            false,
            "",
            "",
        );
        let ver = self.ctx.i32_type().const_int(3, false);
        self.module.add_basic_value_flag(
            "Debug Info Version",
            inkwell::module::FlagBehavior::Warning,
            ver,
        );
        self.dbg = Some(DebugInfo {
            builder,
            unit,
            scope: None,
            line_col,
        });
    }

    pub fn attach_subprogram(&mut self, fv: FunctionValue<'ctx>, span: Span, name: &str) {
        if let Some(d) = &mut self.dbg {
            let (line, _) = (d.line_col)(span);
            let file = d.unit.get_file();
            let ty = d
                .builder
                .create_subroutine_type(file, None, &[], DIFlags::PUBLIC);
            let sp = d.builder.create_function(
                d.unit.as_debug_info_scope(),
                name,
                None,
                file,
                line,
                ty,
                true,
                true,
                line,
                DIFlags::PUBLIC,
                false,
            );
            fv.set_subprogram(sp);
            d.scope = Some(sp);
        }
    }

    pub fn finish_debug_info(&self) {
        if let Some(d) = &self.dbg {
            d.builder.finalize();
        }
    }

    /// A helper function `name` for `ty`, generated once, its body emitted by `gen` with the
    /// builder positioned in it (the caller's position is restored afterwards).
    fn helper(
        &mut self,
        name: &'static str,
        ty: &Ty,
        fn_ty: inkwell::types::FunctionType<'ctx>,
        gen: impl FnOnce(&mut Self, FunctionValue<'ctx>) -> R<()>,
    ) -> R<FunctionValue<'ctx>> {
        if let Some(f) = self.helpers.get(&(name, ty.clone())) {
            return Ok(*f);
        }
        let fname = format!("vez.{name}.{}", self.p.ty_name(ty));
        let f = self
            .module
            .add_function(&fname, fn_ty, Some(Linkage::Internal));
        self.helpers.insert((name, ty.clone()), f);
        let saved = self.b.get_insert_block();
        let saved_loc = if self.dbg.is_some() {
            let l = self.b.get_current_debug_location();
            self.b.unset_current_debug_location();
            l
        } else {
            None
        };
        let entry = self.ctx.append_basic_block(f, "start");
        self.b.position_at_end(entry);
        gen(self, f)?;
        if let Some(bb) = saved {
            self.b.position_at_end(bb);
        }
        if let Some(l) = saved_loc {
            self.b.set_current_debug_location(l);
        }
        Ok(f)
    }

    /// A loop over `0..n` in the current function: `body(i)` runs for each index.
    pub fn for_each(
        &mut self,
        f: FunctionValue<'ctx>,
        n: IntValue<'ctx>,
        body: impl FnOnce(&mut Self, IntValue<'ctx>) -> R<()>,
    ) -> R<()> {
        let i64t = self.ctx.i64_type();
        let head = self.ctx.append_basic_block(f, "loop");
        let inner = self.ctx.append_basic_block(f, "loop.body");
        let done = self.ctx.append_basic_block(f, "loop.done");
        let start = self.b.get_insert_block().expect("positioned");
        self.b.build_unconditional_branch(head)?;
        self.b.position_at_end(head);
        let i = self.b.build_phi(i64t, "i")?;
        i.add_incoming(&[(&i64t.const_zero(), start)]);
        let iv = i.as_basic_value().into_int_value();
        let more = self.b.build_int_compare(IntPredicate::ULT, iv, n, "more")?;
        self.b.build_conditional_branch(more, inner, done)?;
        self.b.position_at_end(inner);
        body(self, iv)?;
        let next = self.b.build_int_add(iv, i64t.const_int(1, false), "next")?;
        i.add_incoming(&[(&next, self.b.get_insert_block().expect("positioned"))]);
        self.b.build_unconditional_branch(head)?;
        self.b.position_at_end(done);
        Ok(())
    }

    fn push_lit(&mut self, buf: PointerValue<'ctx>, s: &str) -> R<()> {
        let (p, n) = self.str_const(s.as_bytes());
        let f = self.rt_fn("vez_buf_push");
        self.b
            .build_call(f, &[buf.into(), p.into(), n.into()], "")?;
        Ok(())
    }

    /// The elements of a sequence place: data pointer, length, element type.
    fn seq_parts(
        &mut self,
        ptr: PointerValue<'ctx>,
        ty: &Ty,
        len: Option<IntValue<'ctx>>,
    ) -> R<(PointerValue<'ctx>, IntValue<'ctx>, Ty)> {
        let elem = self.lay.elem(ty).unwrap_or(Ty::unit());
        Ok(match (ty, len) {
            (Ty::Array(_, n), _) => {
                let n = match **n {
                    Ty::ConstVal(n) => n,
                    _ => 0,
                };
                (ptr, self.ctx.i64_type().const_int(n, false), elem)
            }
            (_, Some(n)) => (ptr, n, elem),
            _ => {
                let (d, n) = self.vec_parts(ptr)?;
                (d, n, elem)
            }
        })
    }

    /// Appends `{}` (or `{:?}` when `debug`) of the value of type `ty` at `ptr`.
    pub fn fmt_ptr(
        &mut self,
        buf: PointerValue<'ctx>,
        ptr: PointerValue<'ctx>,
        ty: &Ty,
        debug: bool,
    ) -> R<()> {
        let kind = if debug {
            FmtKind::Debug
        } else {
            FmtKind::Display
        };
        self.fmt_with(buf, ptr, ty, kind, None)
    }

    /// The run-time library's `VezSpec` for a placeholder's options, in a stack slot; widths
    /// and precisions named by argument come from `vals`.
    pub fn spec_value(
        &mut self,
        fx: &Fx<'ctx>,
        spec: &FmtSpec,
        vals: &[(BasicValueEnum<'ctx>, Ty)],
        span: Span,
    ) -> R<PointerValue<'ctx>> {
        let i64t = self.ctx.i64_type();
        let i32t = self.ctx.i32_type();
        let st = self.spec_type();
        let count = |cg: &mut Self, c: Option<FmtCount>| -> R<IntValue<'ctx>> {
            let i = match c {
                None => return Ok(i64t.const_all_ones()),
                Some(FmtCount::Lit(n)) => return Ok(i64t.const_int(n as u64, false)),
                Some(FmtCount::Arg(i)) => i,
            };
            let missing = || Error(format!("{}: missing format argument", cg.loc(span)));
            let (mut v, mut ty) = vals.get(i).cloned().ok_or_else(missing)?;
            // Format arguments may arrive borrowed: the `usize` is behind the references.
            while let Ty::Ref(_, inner) = ty {
                let p = match v {
                    BasicValueEnum::PointerValue(p) => p,
                    _ => return Err(missing()),
                };
                v = cg.b.build_load(cg.lay.llty(&inner), p, "count")?;
                ty = *inner;
            }
            match v {
                BasicValueEnum::IntValue(n) => Ok(n),
                _ => Err(Error(format!(
                    "{}: a width or precision that is not an integer",
                    cg.loc(span)
                ))),
            }
        };
        let width = count(self, spec.width)?;
        let precision = count(self, spec.precision)?;
        let align = match spec.align {
            None => 0,
            Some(FmtAlign::Left) => 1,
            Some(FmtAlign::Center) => 2,
            Some(FmtAlign::Right) => 3,
        };
        let flags = align
            | if spec.plus { 4 } else { 0 }
            | if spec.alternate { 8 } else { 0 }
            | if spec.zero { 16 } else { 0 };
        let fill = i32t.const_int(spec.fill.unwrap_or(' ') as u64, false);
        let slot = self.temp(fx, st.into())?;
        let fields: [BasicValueEnum; 4] = [
            width.into(),
            precision.into(),
            fill.into(),
            i32t.const_int(flags, false).into(),
        ];
        for (k, v) in fields.iter().enumerate() {
            let at = self.b.build_struct_gep(st, slot, k as u32, "specf")?;
            self.b.build_store(at, *v)?;
        }
        Ok(slot)
    }

    /// `VezSpec { width: i64, precision: i64, fill: u32, flags: u32 }`.
    fn spec_type(&self) -> inkwell::types::StructType<'ctx> {
        let (i64t, i32t) = (self.ctx.i64_type(), self.ctx.i32_type());
        self.ctx
            .struct_type(&[i64t.into(), i64t.into(), i32t.into(), i32t.into()], false)
    }

    /// Appends the value of type `ty` at `ptr` formatted with `kind`. `spec` points to a
    /// `VezSpec` (null inside a Debug helper called without one) when options apply: they
    /// reach every scalar inside a composite's Debug, as Rust's Formatter does. Rust ignores
    /// the width of `str` and `char` under Debug, and so does this.
    pub fn fmt_with(
        &mut self,
        buf: PointerValue<'ctx>,
        ptr: PointerValue<'ctx>,
        ty: &Ty,
        kind: FmtKind,
        spec: Option<PointerValue<'ctx>>,
    ) -> R<()> {
        let debug = kind == FmtKind::Debug;
        let i32t = self.ctx.i32_type();
        let dbg = i32t.const_int(debug as u64, false);
        let kind_no = i32t.const_int(kind as u64, false);
        match ty {
            Ty::Int(i) => {
                let v = self
                    .b
                    .build_load(self.lay.llty(ty), ptr, "v")?
                    .into_int_value();
                let wide = spec.is_some() || i.bits() == 128;
                let t = if wide {
                    self.ctx.i128_type()
                } else {
                    self.ctx.i64_type()
                };
                let v = if v.get_type().get_bit_width() == t.get_bit_width() {
                    v
                } else if i.signed() {
                    self.b.build_int_s_extend(v, t, "ext")?
                } else {
                    self.b.build_int_z_extend(v, t, "ext")?
                };
                if let Some(sp) = spec {
                    let f = self.rt_fn("vez_fmt_int_spec");
                    let signed = i32t.const_int(i.signed() as u64, false);
                    let bits = i32t.const_int(i.bits() as u64, false);
                    self.b.build_call(
                        f,
                        &[
                            buf.into(),
                            v.into(),
                            signed.into(),
                            bits.into(),
                            kind_no.into(),
                            sp.into(),
                        ],
                        "",
                    )?;
                } else {
                    let name = match (i.signed(), i.bits() == 128) {
                        (true, true) => "vez_fmt_i128",
                        (false, true) => "vez_fmt_u128",
                        (true, false) => "vez_fmt_i64",
                        (false, false) => "vez_fmt_u64",
                    };
                    let f = self.rt_fn(name);
                    self.b.build_call(f, &[buf.into(), v.into()], "")?;
                }
            }
            Ty::Float(ft) => {
                let v = self.b.build_load(self.lay.llty(ty), ptr, "v")?;
                if let Some(sp) = spec {
                    let wide = if *ft == FloatTy::F32 {
                        self.b
                            .build_float_ext(v.into_float_value(), self.ctx.f64_type(), "wide")?
                    } else {
                        v.into_float_value()
                    };
                    let is_f32 = i32t.const_int((*ft == FloatTy::F32) as u64, false);
                    let f = self.rt_fn("vez_fmt_float_spec");
                    self.b.build_call(
                        f,
                        &[
                            buf.into(),
                            wide.into(),
                            is_f32.into(),
                            kind_no.into(),
                            sp.into(),
                        ],
                        "",
                    )?;
                } else {
                    let name = if *ft == FloatTy::F32 {
                        "vez_fmt_f32"
                    } else {
                        "vez_fmt_f64"
                    };
                    let f = self.rt_fn(name);
                    self.b
                        .build_call(f, &[buf.into(), v.into(), dbg.into()], "")?;
                }
            }
            Ty::Bool => {
                let v = self
                    .b
                    .build_load(self.lay.llty(ty), ptr, "v")?
                    .into_int_value();
                if let Some(sp) = spec {
                    // Both traits write the word through `Formatter::pad`.
                    let (t, tn) = self.str_const(b"true");
                    let (fl, fln) = self.str_const(b"false");
                    let p = self.b.build_select(v, t, fl, "word")?;
                    let n = self.b.build_select(v, tn, fln, "len")?;
                    self.fmt_str_spec(buf, p, n, sp)?;
                } else {
                    let v = self.b.build_int_z_extend(v, i32t, "b")?;
                    let f = self.rt_fn("vez_fmt_bool");
                    self.b.build_call(f, &[buf.into(), v.into()], "")?;
                }
            }
            Ty::Char => {
                let v = self.b.build_load(i32t, ptr, "v")?;
                match spec {
                    Some(sp) if !debug => {
                        let f = self.rt_fn("vez_fmt_char_spec");
                        self.b
                            .build_call(f, &[buf.into(), v.into(), sp.into()], "")?;
                    }
                    _ => {
                        let f = self.rt_fn("vez_fmt_char");
                        self.b
                            .build_call(f, &[buf.into(), v.into(), dbg.into()], "")?;
                    }
                }
            }
            Ty::Ref(_, inner) if Layout::unsized_ty(inner) => {
                let (d, n) = self.load_fat(ptr)?;
                self.fmt_unsized(buf, d, n, inner, kind, spec)?;
            }
            Ty::Ref(_, inner) => {
                let p = self
                    .b
                    .build_load(self.lay.ptr(), ptr, "p")?
                    .into_pointer_value();
                self.fmt_with(buf, p, inner, kind, spec)?;
            }
            Ty::Adt(id, args) if Some(*id) == self.p.lang.boxed => {
                let p = self
                    .b
                    .build_load(self.lay.ptr(), ptr, "p")?
                    .into_pointer_value();
                let inner = args.first().cloned().unwrap_or(Ty::unit());
                self.fmt_with(buf, p, &inner, kind, spec)?;
            }
            Ty::Adt(id, _) if Some(*id) == self.p.lang.string => {
                let (d, n) = self.vec_parts(ptr)?;
                self.fmt_unsized(buf, d, n, &Ty::Str, kind, spec)?;
            }
            // A hand-written `impl Display` (reached from generic code, `T: Display`): its
            // `fmt` writes into the buffer, whose layout is the `Formatter`'s.
            Ty::Adt(..) if !debug && self.p.display_fmt(ty).is_some() => {
                let inst = self.p.display_fmt(ty).expect("checked");
                let f = self.instance(&inst).map_err(Error)?;
                self.b.build_call(f, &[ptr.into(), buf.into()], "")?;
            }
            // `()` is written through `Formatter::pad`, so a width applies.
            Ty::Tuple(ts) if ts.is_empty() && debug => {
                let (p, n) = self.str_const(b"()");
                match spec {
                    Some(sp) => self.fmt_str_spec(buf, p.into(), n.into(), sp)?,
                    None => self.push_lit(buf, "()")?,
                }
            }
            _ if !debug => {
                return Err(Error(format!(
                    "`{}` cannot be formatted with `{{}}`",
                    self.p.ty_name(ty)
                )))
            }
            _ => {
                let f = self.debug_helper(ty)?;
                let sp = spec.unwrap_or(self.lay.ptr().const_null());
                self.b
                    .build_call(f, &[buf.into(), ptr.into(), sp.into()], "")?;
            }
        }
        Ok(())
    }

    /// Text (`len` bytes at `text`) padded and cut as the spec says (`Formatter::pad`).
    fn fmt_str_spec(
        &mut self,
        buf: PointerValue<'ctx>,
        text: BasicValueEnum<'ctx>,
        len: BasicValueEnum<'ctx>,
        spec: PointerValue<'ctx>,
    ) -> R<()> {
        let f = self.rt_fn("vez_fmt_str_spec");
        self.b
            .build_call(f, &[buf.into(), text.into(), len.into(), spec.into()], "")?;
        Ok(())
    }

    /// `debug(buf, ptr, spec)` for a composite type.
    fn debug_helper(&mut self, ty: &Ty) -> R<FunctionValue<'ctx>> {
        let p = self.lay.ptr();
        let fty = self
            .ctx
            .void_type()
            .fn_type(&[p.into(), p.into(), p.into()], false);
        let t = ty.clone();
        self.helper("debug", ty, fty, move |cg, f| cg.gen_debug(f, &t))
    }

    fn fmt_unsized(
        &mut self,
        buf: PointerValue<'ctx>,
        d: PointerValue<'ctx>,
        n: IntValue<'ctx>,
        ty: &Ty,
        kind: FmtKind,
        spec: Option<PointerValue<'ctx>>,
    ) -> R<()> {
        let debug = kind == FmtKind::Debug;
        if *ty == Ty::Str {
            match spec {
                Some(sp) if !debug => self.fmt_str_spec(buf, d.into(), n.into(), sp)?,
                _ => {
                    let dbg = self.ctx.i32_type().const_int(debug as u64, false);
                    let f = self.rt_fn("vez_fmt_str");
                    self.b
                        .build_call(f, &[buf.into(), d.into(), n.into(), dbg.into()], "")?;
                }
            }
            return Ok(());
        }
        // A slice: `[a, b]`.
        let fat = self.fat_value(d, n);
        let fp = self.b.build_alloca(self.lay.fat(), "s")?;
        self.b.build_store(fp, fat)?;
        let rt = Ty::Ref(false, Box::new(ty.clone()));
        let f = self.debug_helper(&rt)?;
        let sp = spec.unwrap_or(self.lay.ptr().const_null());
        self.b
            .build_call(f, &[buf.into(), fp.into(), sp.into()], "")?;
        Ok(())
    }

    /// The body of `debug(buf, ptr, spec)` for a composite type.
    fn gen_debug(&mut self, f: FunctionValue<'ctx>, ty: &Ty) -> R<()> {
        let buf = f.get_nth_param(0).expect("param").into_pointer_value();
        let ptr = f.get_nth_param(1).expect("param").into_pointer_value();
        let spec = f.get_nth_param(2).expect("param").into_pointer_value();
        let i64t = self.ctx.i64_type();
        match ty {
            Ty::Tuple(ts) => {
                self.push_lit(buf, "(")?;
                let st = self.lay.llty(ty);
                for (k, t) in ts.iter().enumerate() {
                    let fp = self.b.build_struct_gep(st, ptr, k as u32, "f")?;
                    let index = i64t.const_int(k as u64, false);
                    self.debug_entry(buf, spec, index, false, None, |cg| {
                        cg.fmt_with(buf, fp, t, FmtKind::Debug, Some(spec))
                    })?;
                }
                let count = i64t.const_int(ts.len() as u64, false);
                self.debug_close(buf, spec, count, ')', true)?;
            }
            Ty::Array(..) | Ty::Ref(..) | Ty::Adt(..) if self.is_seq(ty) => {
                let (d, n, elem) = match ty {
                    Ty::Ref(_, inner) => {
                        let (d, n) = self.load_fat(ptr)?;
                        (d, n, self.lay.elem(inner).unwrap_or(Ty::unit()))
                    }
                    _ => self.seq_parts(ptr, ty, None)?,
                };
                self.push_lit(buf, "[")?;
                let et = self.lay.llty(&elem);
                self.for_each(f, n, |cg, i| {
                    // SAFETY: i < n, the sequence's length.
                    let ep = unsafe { cg.b.build_in_bounds_gep(et, d, &[i], "e")? };
                    cg.debug_entry(buf, spec, i, false, None, |cg| {
                        cg.fmt_with(buf, ep, &elem, FmtKind::Debug, Some(spec))
                    })
                })?;
                self.debug_close(buf, spec, n, ']', false)?;
            }
            Ty::Adt(id, _) => {
                let adt = self.p.adt(*id).clone();
                if adt.is_enum {
                    let tag = self.enum_tag(&PlaceRef::new(ptr, ty.clone()))?;
                    let done = self.ctx.append_basic_block(f, "done");
                    let cases = self.variant_switch(f, tag, adt.variants.len(), done)?;
                    for (v, bb) in cases.iter().enumerate() {
                        self.b.position_at_end(*bb);
                        let et = self.lay.llty(ty);
                        let payload = self.b.build_struct_gep(et, ptr, 1, "payload")?;
                        self.debug_fields(buf, payload, spec, ty, v as u32, &adt.variants[v])?;
                        self.b.build_unconditional_branch(done)?;
                    }
                    self.b.position_at_end(done);
                } else {
                    self.debug_fields(buf, ptr, spec, ty, 0, &adt.variants[0])?;
                }
            }
            _ => self.push_lit(buf, "()")?,
        }
        self.b.build_return(None)?;
        Ok(())
    }

    /// One entry of a composite's Debug: the separator (or, under `{:#?}`, a new line), the
    /// field name if any, the value written by `value`, and under `{:#?}` its indentation.
    fn debug_entry(
        &mut self,
        buf: PointerValue<'ctx>,
        spec: PointerValue<'ctx>,
        index: IntValue<'ctx>,
        braced: bool,
        name: Option<&str>,
        value: impl FnOnce(&mut Self) -> R<()>,
    ) -> R<()> {
        let i32t = self.ctx.i32_type();
        let entry = self.rt_fn("vez_dbg_entry");
        let start = basic(self.b.build_call(
            entry,
            &[
                buf.into(),
                spec.into(),
                index.into(),
                i32t.const_int(braced as u64, false).into(),
            ],
            "start",
        )?)?;
        if let Some(name) = name {
            self.push_lit(buf, &format!("{name}: "))?;
        }
        value(self)?;
        let end = self.rt_fn("vez_dbg_entry_end");
        self.b
            .build_call(end, &[buf.into(), spec.into(), start.into()], "")?;
        Ok(())
    }

    /// The closing bracket after `count` entries (`(x,)` for a one-element tuple).
    fn debug_close(
        &mut self,
        buf: PointerValue<'ctx>,
        spec: PointerValue<'ctx>,
        count: IntValue<'ctx>,
        close: char,
        one_tuple: bool,
    ) -> R<()> {
        let i32t = self.ctx.i32_type();
        let f = self.rt_fn("vez_dbg_close");
        self.b.build_call(
            f,
            &[
                buf.into(),
                spec.into(),
                count.into(),
                i32t.const_int(close as u64, false).into(),
                i32t.const_int(one_tuple as u64, false).into(),
            ],
            "",
        )?;
        Ok(())
    }

    /// A float method as Rust compiles it: LLVM's intrinsic where Rust uses one, else the C
    /// library's function (`tan`, `hypot`, ...; `tanf` for `f32`), which Rust calls too.
    fn float_method(
        &mut self,
        name: &str,
        ft: FloatTy,
        args: &[BasicValueEnum<'ctx>],
    ) -> R<BasicValueEnum<'ctx>> {
        let x = args
            .first()
            .map(|a| a.into_float_value())
            .ok_or_else(|| Error(format!("internal error: `{name}` without a receiver")))?;
        let t = x.get_type();
        let vals: Vec<inkwell::values::BasicMetadataValueEnum> =
            args.iter().map(|a| (*a).into()).collect();
        let llvm = match name {
            "sqrt" => Some("llvm.sqrt"),
            "floor" => Some("llvm.floor"),
            "ceil" => Some("llvm.ceil"),
            "round" => Some("llvm.round"),
            "trunc" => Some("llvm.trunc"),
            "sin" => Some("llvm.sin"),
            "cos" => Some("llvm.cos"),
            "exp" => Some("llvm.exp"),
            "exp2" => Some("llvm.exp2"),
            "ln" => Some("llvm.log"),
            "log10" => Some("llvm.log10"),
            "log2" => Some("llvm.log2"),
            "powf" => Some("llvm.pow"),
            "min" => Some("llvm.minnum"),
            "max" => Some("llvm.maxnum"),
            "copysign" => Some("llvm.copysign"),
            "mul_add" => Some("llvm.fma"),
            _ => None,
        };
        if let Some(llvm) = llvm {
            let decl = self.intrinsic(llvm, &[t.into()])?;
            return basic(self.b.build_call(decl, &vals, name)?);
        }
        if name == "powi" {
            let decl = self.intrinsic("llvm.powi", &[t.into(), self.ctx.i32_type().into()])?;
            return basic(self.b.build_call(decl, &vals, name)?);
        }
        // Not `cbrt`: Rust's is correctly rounded, the C library's is not.
        let libm = [
            "tan", "asin", "acos", "atan", "sinh", "cosh", "tanh", "hypot", "atan2",
        ];
        if !libm.contains(&name) {
            return Err(Error(format!("unsupported float method `{name}`")));
        }
        let c_name = if ft == FloatTy::F32 {
            format!("{name}f")
        } else {
            name.to_string()
        };
        let f = match self.module.get_function(&c_name) {
            Some(f) => f,
            None => {
                let params: Vec<inkwell::types::BasicMetadataTypeEnum> =
                    args.iter().map(|_| t.into()).collect();
                self.module.add_function(
                    &c_name,
                    t.fn_type(&params, false),
                    Some(Linkage::External),
                )
            }
        };
        basic(self.b.build_call(f, &vals, name)?)
    }

    /// A switch on an enum's tag with one new block per variant (in variant order) and
    /// `default` for any other value; the blocks are returned for the caller to fill.
    fn variant_switch(
        &mut self,
        f: FunctionValue<'ctx>,
        tag: IntValue<'ctx>,
        variants: usize,
        default: inkwell::basic_block::BasicBlock<'ctx>,
    ) -> R<Vec<inkwell::basic_block::BasicBlock<'ctx>>> {
        let blocks: Vec<_> = (0..variants)
            .map(|_| self.ctx.append_basic_block(f, "v"))
            .collect();
        let cases: Vec<_> = blocks
            .iter()
            .enumerate()
            .map(|(v, bb)| (self.ctx.i32_type().const_int(v as u64, false), *bb))
            .collect();
        self.b.build_switch(tag, default, &cases)?;
        Ok(blocks)
    }

    fn is_seq(&self, ty: &Ty) -> bool {
        match ty {
            Ty::Array(..) => true,
            Ty::Ref(_, t) => matches!(**t, Ty::Slice(_)),
            Ty::Adt(id, _) => Some(*id) == self.p.lang.vec,
            _ => false,
        }
    }

    /// `Name { a: 1, b: 2 }`, `Name(1, 2)` or `Name` (also for a braced struct without
    /// fields, as Rust's derive prints it).
    fn debug_fields(
        &mut self,
        buf: PointerValue<'ctx>,
        ptr: PointerValue<'ctx>,
        spec: PointerValue<'ctx>,
        ty: &Ty,
        v: u32,
        var: &vez_typeck::hir::VariantDef,
    ) -> R<()> {
        let short = var
            .name
            .rsplit("::")
            .next()
            .unwrap_or(&var.name)
            .to_string();
        self.push_lit(buf, &short)?;
        let fields = self.lay.variant_fields(ty, v);
        if fields.is_empty() {
            return Ok(());
        }
        let st = self.lay.variant(ty, v);
        let named = var.kind == CtorKind::Named;
        self.push_lit(buf, if named { " {" } else { "(" })?;
        for (k, t) in fields.iter().enumerate() {
            let fp = self.b.build_struct_gep(st, ptr, k as u32, "f")?;
            let index = self.ctx.i64_type().const_int(k as u64, false);
            let name = named.then(|| var.fields[k].name.clone());
            self.debug_entry(buf, spec, index, named, name.as_deref(), |cg| {
                cg.fmt_with(buf, fp, t, FmtKind::Debug, Some(spec))
            })?;
        }
        let count = self.ctx.i64_type().const_int(fields.len() as u64, false);
        self.debug_close(buf, spec, count, if named { '}' } else { ')' }, false)
    }

    /// `cmp(a, b) -> i32` for values of `ref_ty = &T`: -1, 0 or 1, 2 when unordered (NaN).
    pub fn cmp_fn(&mut self, ref_ty: &Ty) -> R<FunctionValue<'ctx>> {
        let Ty::Ref(_, inner) = ref_ty else {
            return Err(Error(
                "internal error: comparison of a non-reference".into(),
            ));
        };
        let inner = (**inner).clone();
        let p = self.lay.ptr();
        let fty = self.ctx.i32_type().fn_type(&[p.into(), p.into()], false);
        self.helper("cmp", &inner.clone(), fty, move |cg, f| {
            cg.gen_cmp(f, &inner)
        })
    }

    fn gen_cmp(&mut self, f: FunctionValue<'ctx>, ty: &Ty) -> R<()> {
        let a = f.get_nth_param(0).expect("param").into_pointer_value();
        let b = f.get_nth_param(1).expect("param").into_pointer_value();
        let i32t = self.ctx.i32_type();
        let ret = |cg: &mut Self, k: i64| -> R<()> {
            cg.b.build_return(Some(&i32t.const_int(k as u64, true)))?;
            Ok(())
        };
        // For unsized types `a` and `b` point to fat pointers.
        match ty {
            Ty::Int(_) | Ty::Bool | Ty::Char | Ty::Float(_) => {
                let lt = self.lay.llty(ty);
                let x = self.b.build_load(lt, a, "x")?;
                let y = self.b.build_load(lt, b, "y")?;
                let (lt_, eq_) = match ty {
                    Ty::Float(_) => {
                        let (x, y) = (x.into_float_value(), y.into_float_value());
                        (
                            self.b
                                .build_float_compare(inkwell::FloatPredicate::OLT, x, y, "lt")?,
                            self.b
                                .build_float_compare(inkwell::FloatPredicate::OEQ, x, y, "eq")?,
                        )
                    }
                    _ => {
                        let s = matches!(ty, Ty::Int(i) if i.signed());
                        let (x, y) = (x.into_int_value(), y.into_int_value());
                        let p = if s {
                            IntPredicate::SLT
                        } else {
                            IntPredicate::ULT
                        };
                        (
                            self.b.build_int_compare(p, x, y, "lt")?,
                            self.b.build_int_compare(IntPredicate::EQ, x, y, "eq")?,
                        )
                    }
                };
                let gt_ = match ty {
                    Ty::Float(_) => self.b.build_float_compare(
                        inkwell::FloatPredicate::OGT,
                        x.into_float_value(),
                        y.into_float_value(),
                        "gt",
                    )?,
                    _ => {
                        let s = matches!(ty, Ty::Int(i) if i.signed());
                        let p = if s {
                            IntPredicate::SGT
                        } else {
                            IntPredicate::UGT
                        };
                        self.b
                            .build_int_compare(p, x.into_int_value(), y.into_int_value(), "gt")?
                    }
                };
                let r = self.b.build_select(
                    gt_,
                    i32t.const_int(1, false),
                    i32t.const_int(2, false),
                    "r",
                )?;
                let r = self
                    .b
                    .build_select(eq_, i32t.const_zero(), r.into_int_value(), "r")?;
                let r = self
                    .b
                    .build_select(lt_, i32t.const_all_ones(), r.into_int_value(), "r")?;
                self.b.build_return(Some(&r))?;
            }
            Ty::Ref(_, inner) => {
                // Compare what the references point to.
                let (pa, pb) = if Layout::unsized_ty(inner) {
                    (a, b)
                } else {
                    let pa = self
                        .b
                        .build_load(self.lay.ptr(), a, "pa")?
                        .into_pointer_value();
                    let pb = self
                        .b
                        .build_load(self.lay.ptr(), b, "pb")?
                        .into_pointer_value();
                    (pa, pb)
                };
                if Layout::unsized_ty(inner) {
                    self.cmp_seq_fat(f, pa, pb, inner)?;
                } else {
                    let inner_ref = Ty::Ref(false, inner.clone());
                    let g = self.cmp_fn(&inner_ref)?;
                    let r = basic(self.b.build_call(g, &[pa.into(), pb.into()], "c")?)?;
                    self.b.build_return(Some(&r))?;
                }
            }
            Ty::Array(..) => {
                let (da, n, elem) = self.seq_parts(a, ty, None)?;
                let (db, _, _) = self.seq_parts(b, ty, None)?;
                self.cmp_elems(f, da, n, db, n, &elem)?;
            }
            // Behind `a` and `b` are fat pointers: lexicographic, by bytes for `str` (Rust's
            // order of strings).
            Ty::Str | Ty::Slice(_) => self.cmp_seq_fat(f, a, b, ty)?,
            Ty::Adt(..) if self.lay.kind(ty) == Kind::Vec => {
                let (da, na) = self.vec_parts(a)?;
                let (db, nb) = self.vec_parts(b)?;
                let elem = self.lay.elem(ty).unwrap_or(Ty::unit());
                self.cmp_elems(f, da, na, db, nb, &elem)?;
            }
            Ty::Adt(id, args) if self.lay.kind(ty) == Kind::Boxed => {
                let _ = id;
                let pa = self
                    .b
                    .build_load(self.lay.ptr(), a, "pa")?
                    .into_pointer_value();
                let pb = self
                    .b
                    .build_load(self.lay.ptr(), b, "pb")?
                    .into_pointer_value();
                let inner = Ty::Ref(false, Box::new(args[0].clone()));
                let g = self.cmp_fn(&inner)?;
                let r = basic(self.b.build_call(g, &[pa.into(), pb.into()], "c")?)?;
                self.b.build_return(Some(&r))?;
            }
            Ty::Adt(id, _) if self.p.adt(*id).is_enum => {
                let adt = self.p.adt(*id).clone();
                let ta = self.enum_tag(&PlaceRef::new(a, ty.clone()))?;
                let tb = self.enum_tag(&PlaceRef::new(b, ty.clone()))?;
                let lt_ = self.b.build_int_compare(IntPredicate::ULT, ta, tb, "lt")?;
                let gt_ = self.b.build_int_compare(IntPredicate::UGT, ta, tb, "gt")?;
                let less = self.ctx.append_basic_block(f, "less");
                let not_less = self.ctx.append_basic_block(f, "notless");
                let greater = self.ctx.append_basic_block(f, "greater");
                let same = self.ctx.append_basic_block(f, "same");
                self.b.build_conditional_branch(lt_, less, not_less)?;
                self.b.position_at_end(less);
                ret(self, -1)?;
                self.b.position_at_end(not_less);
                self.b.build_conditional_branch(gt_, greater, same)?;
                self.b.position_at_end(greater);
                ret(self, 1)?;
                self.b.position_at_end(same);
                let equal = self.ctx.append_basic_block(f, "equal");
                let cases = self.variant_switch(f, ta, adt.variants.len(), equal)?;
                let et = self.lay.llty(ty);
                for (v, bb) in cases.iter().enumerate() {
                    self.b.position_at_end(*bb);
                    let pa = self.b.build_struct_gep(et, a, 1, "pa")?;
                    let pb = self.b.build_struct_gep(et, b, 1, "pb")?;
                    let fields = self.lay.variant_fields(ty, v as u32);
                    let st = self.lay.variant(ty, v as u32);
                    self.cmp_fields(f, pa, pb, st, &fields)?;
                    self.b.build_unconditional_branch(equal)?;
                }
                self.b.position_at_end(equal);
                ret(self, 0)?;
            }
            Ty::Adt(..) | Ty::Tuple(_) => {
                let fields = self.lay.variant_fields(ty, 0);
                let st = self.lay.variant(ty, 0);
                self.cmp_fields(f, a, b, st, &fields)?;
                ret(self, 0)?;
            }
            _ => ret(self, 0)?,
        }
        Ok(())
    }

    /// Compares fields in order; returns from `f` at the first difference.
    fn cmp_fields(
        &mut self,
        f: FunctionValue<'ctx>,
        a: PointerValue<'ctx>,
        b: PointerValue<'ctx>,
        st: inkwell::types::StructType<'ctx>,
        fields: &[Ty],
    ) -> R<()> {
        for (k, t) in fields.iter().enumerate() {
            let fa = self.b.build_struct_gep(st, a, k as u32, "fa")?;
            let fb = self.b.build_struct_gep(st, b, k as u32, "fb")?;
            let g = self.cmp_fn(&Ty::Ref(false, Box::new(t.clone())))?;
            self.return_if_differs(f, g, fa, fb)?;
        }
        Ok(())
    }

    /// Compares two values with the comparison function `g` and returns its result from `f`
    /// when they differ; otherwise goes on in a new block.
    fn return_if_differs(
        &mut self,
        f: FunctionValue<'ctx>,
        g: FunctionValue<'ctx>,
        a: PointerValue<'ctx>,
        b: PointerValue<'ctx>,
    ) -> R<()> {
        let c = basic(self.b.build_call(g, &[a.into(), b.into()], "c")?)?.into_int_value();
        let differ =
            self.b
                .build_int_compare(IntPredicate::NE, c, c.get_type().const_zero(), "ne")?;
        let out = self.ctx.append_basic_block(f, "differ");
        let next = self.ctx.append_basic_block(f, "next");
        self.b.build_conditional_branch(differ, out, next)?;
        self.b.position_at_end(out);
        self.b.build_return(Some(&c))?;
        self.b.position_at_end(next);
        Ok(())
    }

    fn cmp_seq_fat(
        &mut self,
        f: FunctionValue<'ctx>,
        a: PointerValue<'ctx>,
        b: PointerValue<'ctx>,
        ty: &Ty,
    ) -> R<()> {
        let (da, na) = self.load_fat(a)?;
        let (db, nb) = self.load_fat(b)?;
        let elem = self.lay.elem(ty).unwrap_or(Ty::unit());
        self.cmp_elems(f, da, na, db, nb, &elem)
    }

    /// Lexicographic comparison of two sequences; returns from `f`.
    #[allow(clippy::too_many_arguments)]
    fn cmp_elems(
        &mut self,
        f: FunctionValue<'ctx>,
        da: PointerValue<'ctx>,
        na: IntValue<'ctx>,
        db: PointerValue<'ctx>,
        nb: IntValue<'ctx>,
        elem: &Ty,
    ) -> R<()> {
        let i32t = self.ctx.i32_type();
        let shorter = self
            .b
            .build_int_compare(IntPredicate::ULT, na, nb, "short")?;
        let n = self.b.build_select(shorter, na, nb, "n")?.into_int_value();
        let et = self.lay.llty(elem);
        let g = self.cmp_fn(&Ty::Ref(false, Box::new(elem.clone())))?;
        self.for_each(f, n, |cg, i| {
            // SAFETY: i < min(na, nb).
            let pa = unsafe { cg.b.build_in_bounds_gep(et, da, &[i], "pa")? };
            let pb = unsafe { cg.b.build_in_bounds_gep(et, db, &[i], "pb")? };
            cg.return_if_differs(f, g, pa, pb)
        })?;
        let lt_ = self.b.build_int_compare(IntPredicate::ULT, na, nb, "lt")?;
        let gt_ = self.b.build_int_compare(IntPredicate::UGT, na, nb, "gt")?;
        let r = self
            .b
            .build_select(gt_, i32t.const_int(1, false), i32t.const_zero(), "r")?;
        let r = self
            .b
            .build_select(lt_, i32t.const_all_ones(), r.into_int_value(), "r")?;
        self.b.build_return(Some(&r))?;
        Ok(())
    }

    /// A deep copy of the value of type `ty` at `ptr` (`.clone()`).
    pub fn clone_value(&mut self, ptr: PointerValue<'ctx>, ty: &Ty) -> R<BasicValueEnum<'ctx>> {
        if self.p.is_copy(ty, &[]) {
            return Ok(self.b.build_load(self.lay.llty(ty), ptr, "c")?);
        }
        let p = self.lay.ptr();
        let fty = self.lay.llty(ty).fn_type(&[p.into()], false);
        let t = ty.clone();
        let f = self.helper("clone", ty, fty, move |cg, f| cg.gen_clone(f, &t))?;
        basic(self.b.build_call(f, &[ptr.into()], "clone")?)
    }

    fn gen_clone(&mut self, f: FunctionValue<'ctx>, ty: &Ty) -> R<()> {
        let src = f.get_nth_param(0).expect("param").into_pointer_value();
        let lt = self.lay.llty(ty);
        let v: BasicValueEnum = match self.lay.kind(ty) {
            Kind::Vec => {
                let (d, n) = self.vec_parts(src)?;
                let elem = self.lay.elem(ty).unwrap_or(Ty::unit());
                let nd = self.alloc_array(&elem, n)?;
                let et = self.lay.llty(&elem);
                if self.p.is_copy(&elem, &[]) {
                    let size = self
                        .ctx
                        .i64_type()
                        .const_int(self.lay.size_of(&elem), false);
                    let bytes = self.b.build_int_mul(n, size, "bytes")?;
                    self.b.build_memcpy(nd, 1, d, 1, bytes)?;
                } else {
                    self.for_each(f, n, |cg, i| {
                        // SAFETY: i < n, both buffers' length.
                        let s = unsafe { cg.b.build_in_bounds_gep(et, d, &[i], "s")? };
                        let t = unsafe { cg.b.build_in_bounds_gep(et, nd, &[i], "t")? };
                        let c = cg.clone_value(s, &elem)?;
                        cg.b.build_store(t, c)?;
                        Ok(())
                    })?;
                }
                self.vec_value(nd, n, n)?.into()
            }
            Kind::Boxed => {
                let inner = match ty {
                    Ty::Adt(_, a) => a[0].clone(),
                    _ => Ty::unit(),
                };
                let p = self
                    .b
                    .build_load(self.lay.ptr(), src, "p")?
                    .into_pointer_value();
                let c = self.clone_value(p, &inner)?;
                let one = self.ctx.i64_type().const_int(1, false);
                let np = self.alloc_array(&inner, one)?;
                self.b.build_store(np, c)?;
                np.into()
            }
            Kind::Enum => {
                let Ty::Adt(id, _) = ty else { unreachable!() };
                let n = self.p.adt(*id).variants.len();
                let out = self.b.build_alloca(lt, "out")?;
                self.b.build_store(out, lt.const_zero())?;
                let tag = self.enum_tag(&PlaceRef::new(src, ty.clone()))?;
                let tp = self.b.build_struct_gep(lt, out, 0, "tagp")?;
                self.b.build_store(tp, tag)?;
                let done = self.ctx.append_basic_block(f, "done");
                let cases = self.variant_switch(f, tag, n, done)?;
                for (v, bb) in cases.iter().enumerate() {
                    self.b.position_at_end(*bb);
                    let st = self.lay.variant(ty, v as u32);
                    let ps = self.b.build_struct_gep(lt, src, 1, "ps")?;
                    let pd = self.b.build_struct_gep(lt, out, 1, "pd")?;
                    for (k, t) in self.lay.variant_fields(ty, v as u32).iter().enumerate() {
                        let s = self.b.build_struct_gep(st, ps, k as u32, "s")?;
                        let d = self.b.build_struct_gep(st, pd, k as u32, "d")?;
                        let c = self.clone_value(s, t)?;
                        self.b.build_store(d, c)?;
                    }
                    self.b.build_unconditional_branch(done)?;
                }
                self.b.position_at_end(done);
                self.b.build_load(lt, out, "c")?
            }
            _ => match ty {
                Ty::Array(..) => {
                    let out = self.b.build_alloca(lt, "out")?;
                    let (d, n, elem) = self.seq_parts(src, ty, None)?;
                    let et = self.lay.llty(&elem);
                    self.for_each(f, n, |cg, i| {
                        // SAFETY: i < n, the array's length.
                        let s = unsafe { cg.b.build_in_bounds_gep(et, d, &[i], "s")? };
                        let t = unsafe { cg.b.build_in_bounds_gep(et, out, &[i], "t")? };
                        let c = cg.clone_value(s, &elem)?;
                        cg.b.build_store(t, c)?;
                        Ok(())
                    })?;
                    self.b.build_load(lt, out, "c")?
                }
                _ => {
                    let st = self.lay.variant(ty, 0);
                    let mut agg = st.const_zero();
                    for (k, t) in self.lay.variant_fields(ty, 0).iter().enumerate() {
                        let s = self.b.build_struct_gep(st, src, k as u32, "s")?;
                        let c = self.clone_value(s, t)?;
                        agg = self
                            .b
                            .build_insert_value(agg, c, k as u32, "")?
                            .into_struct_value();
                    }
                    agg.into()
                }
            },
        };
        self.b.build_return(Some(&v))?;
        Ok(())
    }

    /// The compiler-supplied meaning of an `#[intrinsic]` prelude function.
    pub fn intrinsic_call(
        &mut self,
        fx: &Fx<'ctx>,
        inst: &Instance,
        args: &[(BasicValueEnum<'ctx>, Ty)],
        ret: &Ty,
        span: Span,
    ) -> R<BasicValueEnum<'ctx>> {
        let f = self.p.func(inst.func);
        if f.attrs.from_prelude && !self.device {
            if let Some(v) = self.gpu_host_call(fx, &f.name, args, ret)? {
                return Ok(v);
            }
            if let Some(v) = self.std_host_call(fx, &f.name, args, ret)? {
                return Ok(v);
            }
        }
        let name = f.name.rsplit("::").next().unwrap_or(&f.name).to_string();
        let owner = f.self_ty.clone().map(|t| t.subst(&inst.args));
        let i64t = self.ctx.i64_type();
        let unit = self.lay.unit().const_zero().into();
        let arg = |k: usize| args[k].0;
        let elem_of = |cg: &Self| {
            owner
                .as_ref()
                .and_then(|t| cg.lay.elem(t))
                .unwrap_or(Ty::unit())
        };
        let is_int_method = matches!(owner, Some(Ty::Int(_)));
        if is_int_method {
            let Some(Ty::Int(it)) = owner else {
                unreachable!()
            };
            return self.int_method(fx, &name, it, args, ret, span);
        }
        if let Some(Ty::Float(ft)) = &owner {
            return self.float_method(&name, *ft, &args.iter().map(|a| a.0).collect::<Vec<_>>());
        }
        Ok(match name.as_str() {
            "new" | "with_capacity" if matches!(owner, Some(Ty::Adt(id, _)) if Some(id) == self.p.lang.boxed) =>
            {
                let inner = elem_or_arg(&owner);
                let one = i64t.const_int(1, false);
                let p = self.alloc_array(&inner, one)?;
                self.b.build_store(p, arg(0))?;
                p.into()
            }
            "new" if args.is_empty() => {
                let dangling = self.b.build_int_to_ptr(
                    i64t.const_int(16, false),
                    self.lay.ptr(),
                    "dangling",
                )?;
                self.vec_value(dangling, i64t.const_zero(), i64t.const_zero())?
                    .into()
            }
            "with_capacity" => {
                let elem = elem_of(self);
                let n = arg(0).into_int_value();
                let d = self.alloc_array(&elem, n)?;
                self.vec_value(d, i64t.const_zero(), n)?.into()
            }
            "len" => match &args[0].1 {
                Ty::Ref(_, t) if Layout::unsized_ty(t) => {
                    self.b
                        .build_extract_value(arg(0).into_struct_value(), 1, "len")?
                }
                _ => self.vec_parts(arg(0).into_pointer_value())?.1.into(),
            },
            "capacity" => {
                let vt = self.lay.vec();
                let at = self
                    .b
                    .build_struct_gep(vt, arg(0).into_pointer_value(), 2, "capp")?;
                self.b.build_load(i64t, at, "cap")?
            }
            "as_slice" | "as_str" => {
                let (d, n) = self.vec_parts(arg(0).into_pointer_value())?;
                self.fat_value(d, n).into()
            }
            "as_bytes" => arg(0),
            "from_u32" if matches!(owner, Some(Ty::Char)) => {
                // A scalar value: below the surrogates, or between them and 0x10FFFF.
                let v = arg(0).into_int_value();
                let i32t = self.ctx.i32_type();
                let below = self.b.build_int_compare(
                    IntPredicate::ULT,
                    v,
                    i32t.const_int(0xD800, false),
                    "below",
                )?;
                let above = self
                    .b
                    .build_int_sub(v, i32t.const_int(0xE000, false), "above")?;
                let upper = self.b.build_int_compare(
                    IntPredicate::ULE,
                    above,
                    i32t.const_int(0x10FFFF - 0xE000, false),
                    "upper",
                )?;
                let ok = self.b.build_or(below, upper, "scalar")?;
                let none = self.enum_value(fx, ret, 0, &[])?;
                let some = self.enum_value(fx, ret, 1, &[v.into()])?;
                self.b.build_select(ok, some, none, "from_u32")?
            }
            // `String::push`: the runtime appends the char's UTF-8 encoding.
            "push" if matches!(owner, Some(Ty::Adt(id, _)) if Some(id) == self.p.lang.string) => {
                let f = self.rt_fn("vez_fmt_char");
                let plain = self.ctx.i32_type().const_zero();
                self.b
                    .build_call(f, &[arg(0).into(), arg(1).into(), plain.into()], "")?;
                unit
            }
            "push" => {
                let v = arg(0).into_pointer_value();
                let elem = elem_of(self);
                let vt = self.lay.vec();
                let lp = self.b.build_struct_gep(vt, v, 1, "lenp")?;
                let cp = self.b.build_struct_gep(vt, v, 2, "capp")?;
                let len = self.b.build_load(i64t, lp, "len")?.into_int_value();
                let cap = self.b.build_load(i64t, cp, "cap")?.into_int_value();
                let full = self
                    .b
                    .build_int_compare(IntPredicate::EQ, len, cap, "full")?;
                let grow = self.ctx.append_basic_block(fx.fv, "grow");
                let store = self.ctx.append_basic_block(fx.fv, "store");
                self.b.build_conditional_branch(full, grow, store)?;
                self.b.position_at_end(grow);
                let size = i64t.const_int(self.lay.size_of(&elem), false);
                let f = self.rt_fn("vez_vec_reserve");
                self.b.build_call(
                    f,
                    &[v.into(), size.into(), i64t.const_int(1, false).into()],
                    "",
                )?;
                self.b.build_unconditional_branch(store)?;
                self.b.position_at_end(store);
                let (d, _) = self.vec_parts(v)?;
                // SAFETY: len < cap after the reserve.
                let p = unsafe {
                    self.b
                        .build_in_bounds_gep(self.lay.llty(&elem), d, &[len], "slot")?
                };
                self.b.build_store(p, arg(1))?;
                let n1 = self
                    .b
                    .build_int_add(len, i64t.const_int(1, false), "len1")?;
                self.b.build_store(lp, n1)?;
                unit
            }
            "pop" => {
                let v = arg(0).into_pointer_value();
                let elem = elem_of(self);
                let vt = self.lay.vec();
                let lp = self.b.build_struct_gep(vt, v, 1, "lenp")?;
                let len = self.b.build_load(i64t, lp, "len")?.into_int_value();
                let out = self.temp(fx, self.lay.llty(ret))?;
                let empty =
                    self.b
                        .build_int_compare(IntPredicate::EQ, len, i64t.const_zero(), "empty")?;
                let none = self.ctx.append_basic_block(fx.fv, "none");
                let some = self.ctx.append_basic_block(fx.fv, "some");
                let done = self.ctx.append_basic_block(fx.fv, "done");
                self.b.build_conditional_branch(empty, none, some)?;
                self.b.position_at_end(none);
                let nv = self.enum_value(fx, ret, 0, &[])?;
                self.b.build_store(out, nv)?;
                self.b.build_unconditional_branch(done)?;
                self.b.position_at_end(some);
                let n1 = self.b.build_int_sub(len, i64t.const_int(1, false), "n1")?;
                self.b.build_store(lp, n1)?;
                let (d, _) = self.vec_parts(v)?;
                // SAFETY: n1 < len.
                let p = unsafe {
                    self.b
                        .build_in_bounds_gep(self.lay.llty(&elem), d, &[n1], "last")?
                };
                let x = self.b.build_load(self.lay.llty(&elem), p, "x")?;
                let sv = self.enum_value(fx, ret, 1, &[x])?;
                self.b.build_store(out, sv)?;
                self.b.build_unconditional_branch(done)?;
                self.b.position_at_end(done);
                self.b.build_load(self.lay.llty(ret), out, "popped")?
            }
            "clear" => {
                let vt = self.lay.vec();
                let lp = self
                    .b
                    .build_struct_gep(vt, arg(0).into_pointer_value(), 1, "lenp")?;
                self.b.build_store(lp, i64t.const_zero())?;
                unit
            }
            "index_range" | "index_range_inclusive" | "index_from" => {
                let (d, n) = self.fat_parts(arg(0))?;
                let lo = arg(1).into_int_value();
                let inclusive = name == "index_range_inclusive";
                let hi = if name == "index_from" {
                    n
                } else {
                    arg(2).into_int_value()
                };
                let one = i64t.const_int(1, false);
                if !self.proven(fx, "bounds", span) {
                    let loc = self.loc_value(fx, span)?;
                    let flag = self.ctx.i32_type().const_int(inclusive as u64, false);
                    if matches!(owner, Some(Ty::Str)) {
                        // A str's range has its ends on char boundaries too: the run-time
                        // library checks all of it, and panics with Rust's messages.
                        let f = self.rt_fn("vez_str_slice_check");
                        let args = [
                            d.into(),
                            n.into(),
                            lo.into(),
                            hi.into(),
                            flag.into(),
                            loc.0.into(),
                            loc.1.into(),
                        ];
                        self.b.build_call(f, &args, "")?;
                    } else {
                        let b = &self.b;
                        let ok = if inclusive {
                            // `hi < n` first, so that `hi + 1` below does not wrap.
                            let end_ok = b.build_int_compare(IntPredicate::ULT, hi, n, "end")?;
                            let end = b.build_int_add(hi, one, "end1")?;
                            let order = b.build_int_compare(IntPredicate::ULE, lo, end, "order")?;
                            b.build_and(end_ok, order, "ok")?
                        } else {
                            let end_ok = b.build_int_compare(IntPredicate::ULE, hi, n, "end")?;
                            let order = b.build_int_compare(IntPredicate::ULE, lo, hi, "order")?;
                            b.build_and(end_ok, order, "ok")?
                        };
                        self.check(fx, ok, |cg| {
                            let f = cg.rt_fn("vez_panic_slice");
                            let args = [
                                lo.into(),
                                hi.into(),
                                n.into(),
                                flag.into(),
                                loc.0.into(),
                                loc.1.into(),
                            ];
                            cg.b.build_call(f, &args, "")?;
                            Ok(())
                        })?;
                    }
                }
                let end = if inclusive {
                    self.b.build_int_nuw_add(hi, one, "end1")?
                } else {
                    hi
                };
                let len = self.b.build_int_nuw_sub(end, lo, "sublen")?;
                let et = self.lay.llty(&elem_of(self));
                // SAFETY: lo <= end <= n (checked or proven): inside the slice or one past it.
                let p = unsafe { self.b.build_in_bounds_gep(et, d, &[lo], "sub")? };
                self.fat_value(p, len).into()
            }
            "swap" => {
                let (d, n) = self.fat_parts(arg(0))?;
                let (a, b) = (arg(1).into_int_value(), arg(2).into_int_value());
                let elem = match &args[0].1 {
                    Ty::Ref(_, t) => self.lay.elem(t).unwrap_or(Ty::unit()),
                    _ => Ty::unit(),
                };
                if self.proven(fx, "precondition", span) {
                    self.guard_below(fx, a, n)?;
                    self.guard_below(fx, b, n)?;
                } else {
                    self.bounds_check(fx, a, n, span)?;
                    self.bounds_check(fx, b, n, span)?;
                }
                let et = self.lay.llty(&elem);
                // SAFETY: a, b < n (checked or proven).
                let pa = unsafe { self.b.build_in_bounds_gep(et, d, &[a], "pa")? };
                let pb = unsafe { self.b.build_in_bounds_gep(et, d, &[b], "pb")? };
                let x = self.b.build_load(et, pa, "x")?;
                let y = self.b.build_load(et, pb, "y")?;
                self.b.build_store(pa, y)?;
                self.b.build_store(pb, x)?;
                unit
            }
            "from" | "to_string" => {
                let (d, n) = self.fat_parts(arg(0))?;
                let u8t = Ty::Int(IntTy::U8);
                let nd = self.alloc_array(&u8t, n)?;
                self.b.build_memcpy(nd, 1, d, 1, n)?;
                self.vec_value(nd, n, n)?.into()
            }
            "push_str" => {
                let (d, n) = self.fat_parts(arg(1))?;
                let f = self.rt_fn("vez_buf_push");
                self.b
                    .build_call(f, &[arg(0).into(), d.into(), n.into()], "")?;
                unit
            }
            _ => {
                return Err(Error(format!(
                    "{}: `{}` is not supported by code generation yet",
                    self.loc(span),
                    f.name
                )))
            }
        })
    }

    fn int_method(
        &mut self,
        fx: &Fx<'ctx>,
        name: &str,
        it: IntTy,
        args: &[(BasicValueEnum<'ctx>, Ty)],
        ret: &Ty,
        span: Span,
    ) -> R<BasicValueEnum<'ctx>> {
        let s = it.signed();
        let a = args[0].0.into_int_value();
        let b = args.get(1).map(|x| x.0.into_int_value());
        let t = a.get_type();
        let with_overflow = |cg: &mut Self, op: &str| -> R<(IntValue<'ctx>, IntValue<'ctx>)> {
            let name = format!("llvm.{}{}.with.overflow", if s { "s" } else { "u" }, op);
            let f = cg.intrinsic(&name, &[t.into()])?;
            let r = basic(cg.b.build_call(f, &[a.into(), b.expect("rhs").into()], "ov")?)?
                .into_struct_value();
            Ok((
                cg.b.build_extract_value(r, 0, "v")?.into_int_value(),
                cg.b.build_extract_value(r, 1, "o")?.into_int_value(),
            ))
        };
        let op_of = |n: &str| -> &'static str {
            if n.ends_with("add") {
                "add"
            } else if n.ends_with("sub") {
                "sub"
            } else {
                "mul"
            }
        };
        Ok(match name {
            "wrapping_add" => self.b.build_int_add(a, b.expect("rhs"), "w")?.into(),
            "wrapping_sub" => self.b.build_int_sub(a, b.expect("rhs"), "w")?.into(),
            "wrapping_mul" => self.b.build_int_mul(a, b.expect("rhs"), "w")?.into(),
            "checked_add" | "checked_sub" | "checked_mul" => {
                let (v, o) = with_overflow(self, op_of(name))?;
                self.option_of(fx, ret, o, v)?
            }
            "overflowing_add" | "overflowing_sub" | "overflowing_mul" => {
                let (v, o) = with_overflow(self, op_of(name))?;
                let st = self.lay.llty(ret).into_struct_type();
                let x = self
                    .b
                    .build_insert_value(st.const_zero(), v, 0, "")?
                    .into_struct_value();
                self.b
                    .build_insert_value(x, o, 1, "")?
                    .into_struct_value()
                    .into()
            }
            "saturating_add" | "saturating_sub" => {
                let n = format!("llvm.{}{}.sat", if s { "s" } else { "u" }, op_of(name));
                let f = self.intrinsic(&n, &[t.into()])?;
                basic(
                    self.b
                        .build_call(f, &[a.into(), b.expect("rhs").into()], "sat")?,
                )?
            }
            "checked_div" => {
                let b = b.expect("rhs");
                let zero = self
                    .b
                    .build_int_compare(IntPredicate::EQ, b, t.const_zero(), "z")?;
                let bad = if s {
                    let min = self.int_const(it.bits(), it.min_value() as u128);
                    let x = self.b.build_int_compare(IntPredicate::EQ, a, min, "m")?;
                    let y =
                        self.b
                            .build_int_compare(IntPredicate::EQ, b, t.const_all_ones(), "n1")?;
                    let o = self.b.build_and(x, y, "o")?;
                    self.b.build_or(zero, o, "bad")?
                } else {
                    zero
                };
                // Divide by 1 where the division would trap, then discard the value.
                let safe_b = self
                    .b
                    .build_select(bad, t.const_int(1, false), b, "b")?
                    .into_int_value();
                let q = if s {
                    self.b.build_int_signed_div(a, safe_b, "q")?
                } else {
                    self.b.build_int_unsigned_div(a, safe_b, "q")?
                };
                self.option_of(fx, ret, bad, q)?
            }
            "count_ones" | "leading_zeros" | "trailing_zeros" => {
                let (n, extra) = match name {
                    "count_ones" => ("llvm.ctpop", false),
                    "leading_zeros" => ("llvm.ctlz", true),
                    _ => ("llvm.cttz", true),
                };
                let f = self.intrinsic(n, &[t.into()])?;
                let r = if extra {
                    let no_poison = self.ctx.bool_type().const_zero();
                    basic(
                        self.b
                            .build_call(f, &[a.into(), no_poison.into()], "bits")?,
                    )?
                } else {
                    basic(self.b.build_call(f, &[a.into()], "bits")?)?
                };
                self.int_resize(r.into_int_value(), false, ret)?
            }
            "pow" => {
                let exp = b.expect("exponent");
                self.int_pow(fx, it, a, exp, span)?
            }
            _ => {
                return Err(Error(format!(
                    "{}: `{}::{name}` is not supported by code generation yet",
                    self.loc(span),
                    it.name()
                )))
            }
        })
    }

    /// `None` when `failed`, else `Some(v)`.
    fn option_of(
        &mut self,
        fx: &Fx<'ctx>,
        ty: &Ty,
        failed: IntValue<'ctx>,
        v: IntValue<'ctx>,
    ) -> R<BasicValueEnum<'ctx>> {
        let none = self.enum_value(fx, ty, 0, &[])?;
        let some = self.enum_value(fx, ty, 1, &[v.into()])?;
        Ok(self.b.build_select(failed, none, some, "opt")?)
    }

    /// `a.pow(exp)` by squaring, panicking on overflow as Rust's debug build does.
    fn int_pow(
        &mut self,
        fx: &Fx<'ctx>,
        it: IntTy,
        a: IntValue<'ctx>,
        exp: IntValue<'ctx>,
        span: Span,
    ) -> R<BasicValueEnum<'ctx>> {
        let t = a.get_type();
        let i32t = self.ctx.i32_type();
        let s = it.signed();
        let name = format!("llvm.{}mul.with.overflow", if s { "s" } else { "u" });
        let mulf = self.intrinsic(&name, &[t.into()])?;
        let acc = self.temp(fx, t.into())?;
        let base = self.temp(fx, t.into())?;
        let e = self.temp(fx, i32t.into())?;
        self.b.build_store(acc, t.const_int(1, false))?;
        self.b.build_store(base, a)?;
        self.b.build_store(e, exp)?;
        let head = self.ctx.append_basic_block(fx.fv, "pow");
        let body = self.ctx.append_basic_block(fx.fv, "pow.body");
        let done = self.ctx.append_basic_block(fx.fv, "pow.done");
        self.b.build_unconditional_branch(head)?;
        self.b.position_at_end(head);
        let ev = self.b.build_load(i32t, e, "e")?.into_int_value();
        let more = self
            .b
            .build_int_compare(IntPredicate::NE, ev, i32t.const_zero(), "more")?;
        self.b.build_conditional_branch(more, body, done)?;
        self.b.position_at_end(body);
        let mul = |cg: &mut Self, x: IntValue<'ctx>, y: IntValue<'ctx>| -> R<IntValue<'ctx>> {
            let r = basic(cg.b.build_call(mulf, &[x.into(), y.into()], "m")?)?.into_struct_value();
            let v = cg.b.build_extract_value(r, 0, "v")?.into_int_value();
            let o = cg.b.build_extract_value(r, 1, "o")?.into_int_value();
            let ok = cg.b.build_not(o, "ok")?;
            cg.check(fx, ok, |cg| {
                cg.panic_msg(fx, "attempt to multiply with overflow", span)
            })?;
            Ok(v)
        };
        // if e & 1 { acc *= base }
        let odd = self.b.build_and(ev, i32t.const_int(1, false), "odd")?;
        let is_odd = self
            .b
            .build_int_compare(IntPredicate::NE, odd, i32t.const_zero(), "isodd")?;
        let do_mul = self.ctx.append_basic_block(fx.fv, "pow.mul");
        let after = self.ctx.append_basic_block(fx.fv, "pow.sq");
        self.b.build_conditional_branch(is_odd, do_mul, after)?;
        self.b.position_at_end(do_mul);
        let av = self.b.build_load(t, acc, "acc")?.into_int_value();
        let bv = self.b.build_load(t, base, "base")?.into_int_value();
        let m = mul(self, av, bv)?;
        self.b.build_store(acc, m)?;
        self.b.build_unconditional_branch(after)?;
        self.b.position_at_end(after);
        // e >>= 1; square the base only while more bits remain (as Rust does).
        let e2 = self
            .b
            .build_right_shift(ev, i32t.const_int(1, false), false, "e2")?;
        self.b.build_store(e, e2)?;
        let more2 = self
            .b
            .build_int_compare(IntPredicate::NE, e2, i32t.const_zero(), "more2")?;
        let sq = self.ctx.append_basic_block(fx.fv, "pow.square");
        self.b.build_conditional_branch(more2, sq, head)?;
        self.b.position_at_end(sq);
        let bv = self.b.build_load(t, base, "base")?.into_int_value();
        let m = mul(self, bv, bv)?;
        self.b.build_store(base, m)?;
        self.b.build_unconditional_branch(head)?;
        self.b.position_at_end(done);
        Ok(self.b.build_load(t, acc, "pow")?)
    }
}

fn elem_or_arg(owner: &Option<Ty>) -> Ty {
    match owner {
        Some(Ty::Adt(_, a)) => a.first().cloned().unwrap_or(Ty::unit()),
        _ => Ty::unit(),
    }
}

impl<'ctx> PlaceRef<'ctx> {
    pub fn new(ptr: PointerValue<'ctx>, ty: Ty) -> Self {
        PlaceRef::from_parts(ptr, ty)
    }
}
