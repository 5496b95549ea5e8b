//! Source types as LLVM types.
//!
//! Integers are `iN` (`usize`/`isize` 64-bit), `bool` is `i1`, `char` is `i32`; tuples and
//! structs are literal structs of their fields; arrays are LLVM arrays; `&[T]` and `&str`
//! are `{ ptr, i64 }`, other references and `Box<T>` a pointer; `Vec<T>` and `String` are
//! `{ ptr, i64 len, i64 cap }`; an enum is `{ i32 tag, [n x i64] }` whose payload holds the
//! variant's fields as a struct.

use inkwell::context::Context;
use inkwell::targets::TargetData;
use inkwell::types::{BasicType, BasicTypeEnum, StructType};
use inkwell::AddressSpace;
use std::cell::RefCell;
use std::collections::HashMap;
use vez_typeck::hir::Program;
use vez_typeck::ty::{FloatTy, Ty};

pub struct Layout<'ctx, 'p> {
    pub ctx: &'ctx Context,
    pub p: &'p Program,
    pub td: TargetData,
    cache: RefCell<HashMap<Ty, BasicTypeEnum<'ctx>>>,
}

/// How a type is represented.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Scalar,
    Vec,
    Boxed,
    Enum,
    Other,
}

impl<'ctx, 'p> Layout<'ctx, 'p> {
    pub fn new(ctx: &'ctx Context, p: &'p Program, td: TargetData) -> Self {
        Layout {
            ctx,
            p,
            td,
            cache: RefCell::new(HashMap::new()),
        }
    }

    pub fn ptr(&self) -> inkwell::types::PointerType<'ctx> {
        self.ctx.ptr_type(AddressSpace::default())
    }

    pub fn fat(&self) -> StructType<'ctx> {
        self.ctx
            .struct_type(&[self.ptr().into(), self.ctx.i64_type().into()], false)
    }

    pub fn vec(&self) -> StructType<'ctx> {
        let i64t = self.ctx.i64_type();
        self.ctx
            .struct_type(&[self.ptr().into(), i64t.into(), i64t.into()], false)
    }

    pub fn unit(&self) -> StructType<'ctx> {
        self.ctx.struct_type(&[], false)
    }

    pub fn kind(&self, ty: &Ty) -> Kind {
        match ty {
            Ty::Adt(id, _) => {
                let l = &self.p.lang;
                if Some(*id) == l.vec || Some(*id) == l.string || Some(*id) == l.gpu_buffer {
                    Kind::Vec
                } else if Some(*id) == l.boxed {
                    Kind::Boxed
                } else if self.p.adt(*id).is_enum {
                    Kind::Enum
                } else {
                    Kind::Other
                }
            }
            Ty::Int(_) | Ty::Float(_) | Ty::Bool | Ty::Char => Kind::Scalar,
            _ => Kind::Other,
        }
    }

    /// Whether a reference to this type is a fat pointer.
    pub fn unsized_ty(ty: &Ty) -> bool {
        matches!(ty, Ty::Slice(_) | Ty::Str)
    }

    /// The element type of an array, slice, Vec or String (`u8`).
    pub fn elem(&self, ty: &Ty) -> Option<Ty> {
        match ty {
            Ty::Array(t, _) | Ty::Slice(t) => Some((**t).clone()),
            Ty::Str => Some(Ty::Int(vez_typeck::ty::IntTy::U8)),
            Ty::Adt(id, args) => {
                if Some(*id) == self.p.lang.string {
                    Some(Ty::Int(vez_typeck::ty::IntTy::U8))
                } else if Some(*id) == self.p.lang.vec || Some(*id) == self.p.lang.gpu_buffer {
                    args.first().cloned()
                } else {
                    None
                }
            }
            _ => None,
        }
    }

    pub fn llty(&self, ty: &Ty) -> BasicTypeEnum<'ctx> {
        if let Some(t) = self.cache.borrow().get(ty) {
            return *t;
        }
        let t = self.compute(ty);
        self.cache.borrow_mut().insert(ty.clone(), t);
        t
    }

    fn compute(&self, ty: &Ty) -> BasicTypeEnum<'ctx> {
        let c = self.ctx;
        match ty {
            Ty::Int(i) => c.custom_width_int_type(i.bits()).into(),
            Ty::Float(FloatTy::F32) => c.f32_type().into(),
            Ty::Float(FloatTy::F64) => c.f64_type().into(),
            Ty::Bool => c.bool_type().into(),
            Ty::Char => c.i32_type().into(),
            Ty::Tuple(ts) => {
                let fs: Vec<BasicTypeEnum> = ts.iter().map(|t| self.llty(t)).collect();
                c.struct_type(&fs, false).into()
            }
            Ty::Array(t, n) => {
                let n = match **n {
                    Ty::ConstVal(n) => n as u32,
                    _ => 0,
                };
                self.llty(t).array_type(n).into()
            }
            Ty::Ref(_, t) => {
                if Self::unsized_ty(t) {
                    self.fat().into()
                } else {
                    self.ptr().into()
                }
            }
            Ty::Adt(id, args) => match self.kind(ty) {
                Kind::Vec => self.vec().into(),
                Kind::Boxed => self.ptr().into(),
                Kind::Enum => {
                    let adt = self.p.adt(*id);
                    let mut size = 0;
                    let mut align16 = false;
                    for v in 0..adt.variants.len() {
                        let st = self.variant(ty, v as u32);
                        size = size.max(self.td.get_abi_size(&st));
                        align16 |= self.td.get_abi_alignment(&st) > 8;
                    }
                    let _ = args;
                    let payload = if align16 {
                        c.i128_type().array_type(size.div_ceil(16) as u32)
                    } else {
                        c.i64_type().array_type(size.div_ceil(8) as u32)
                    };
                    c.struct_type(&[c.i32_type().into(), payload.into()], false)
                        .into()
                }
                _ => self.variant(ty, 0).into(),
            },
            // `str`, slices, `!` and anything else that has no value of its own.
            _ => self.unit().into(),
        }
    }

    /// The fields of a struct (variant 0) or of an enum variant, as a struct type.
    pub fn variant(&self, ty: &Ty, v: u32) -> StructType<'ctx> {
        let fs: Vec<BasicTypeEnum> = self
            .variant_fields(ty, v)
            .iter()
            .map(|t| self.llty(t))
            .collect();
        self.ctx.struct_type(&fs, false)
    }

    /// The field types of a variant, with the ADT's type arguments substituted.
    pub fn variant_fields(&self, ty: &Ty, v: u32) -> Vec<Ty> {
        match ty {
            Ty::Adt(id, args) => self
                .p
                .adt(*id)
                .variants
                .get(v as usize)
                .map(|var| var.fields.iter().map(|f| f.ty.subst(args)).collect())
                .unwrap_or_default(),
            Ty::Tuple(ts) => ts.clone(),
            _ => Vec::new(),
        }
    }

    pub fn size_of(&self, ty: &Ty) -> u64 {
        self.td.get_abi_size(&self.llty(ty))
    }
}
