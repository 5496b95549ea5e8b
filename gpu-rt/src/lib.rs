//! The GPU half of VeZ's run-time library, linked into executables that use the `gpu::` host
//! API: devices, `GpuBuffer` allocation and transfers, and kernel launches, over the CUDA
//! driver API through cudarc.
//!
//! cudarc loads libcuda dynamically and panics when it is missing, so every entry point
//! probes for it first (`is_culib_present`) and also catches a panic from a driver call (a
//! symbol an old driver lacks): no GPU is an error code, never a panic.
//!
//! Error codes, the `code` of a `gpu::Error`: positive codes are the driver's `CUresult`;
//! [`NO_DRIVER`], [`DRIVER_FAILED`] and [`NO_DEVICE_OPEN`] are VeZ's own.
//!
//! A launch is asynchronous, as in CUDA: an error the driver reports for it is kept and
//! returned by the next `synchronize()` or `download()`. Device memory is never freed (VeZ
//! does not drop values), like host memory.

use cudarc::driver::result::{self as cu, DriverError};
use cudarc::driver::sys;
use std::collections::HashMap;
use std::ffi::{c_void, CString};
use std::sync::{Mutex, MutexGuard, OnceLock};

/// libcuda could not be loaded: no NVIDIA driver on this machine.
pub const NO_DRIVER: i32 = -1;
/// A driver call could not be made (the driver lacks a CUDA 12.0 entry point).
pub const DRIVER_FAILED: i32 = -2;
/// A launch or transfer on a device that `gpu::Device::cuda` did not open.
pub const NO_DEVICE_OPEN: i32 = -3;

/// What the driver gave us, kept for the process's lifetime. Handles are stored as
/// addresses: the driver's handle types are raw pointers, which are not `Send`.
#[derive(Default)]
struct State {
    /// Device ordinal to its primary context.
    contexts: HashMap<u32, usize>,
    /// The device the last `Device::cuda` opened: launches go there.
    current: Option<u32>,
    /// (context, address of the embedded PTX, kernel name) to the loaded function.
    functions: HashMap<(usize, usize, String), usize>,
    /// (context, PTX address) to its module.
    modules: HashMap<(usize, usize), usize>,
    /// The first error of a launch, reported by the next synchronize or download.
    pending: Option<i32>,
}

fn state() -> MutexGuard<'static, State> {
    static STATE: OnceLock<Mutex<State>> = OnceLock::new();
    let m = STATE.get_or_init(|| Mutex::new(State::default()));
    // A panic is caught inside the lock's users, so a poisoned lock still holds good data.
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// Whether libcuda can be loaded (probed once).
pub fn driver_present() -> bool {
    static PRESENT: OnceLock<bool> = OnceLock::new();
    // SAFETY: loading a library by name has no preconditions.
    *PRESENT.get_or_init(|| unsafe { sys::is_culib_present() })
}

/// Runs driver calls with the driver present, turning a driver error into its code and a
/// panic inside cudarc into [`DRIVER_FAILED`].
fn driver<T>(f: impl FnOnce() -> Result<T, DriverError>) -> Result<T, i32> {
    if !driver_present() {
        return Err(NO_DRIVER);
    }
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)) {
        Ok(Ok(v)) => Ok(v),
        Ok(Err(DriverError(code))) => Err(code as i32),
        Err(_) => Err(DRIVER_FAILED),
    }
}

fn code_of(r: Result<(), i32>) -> i32 {
    r.err().unwrap_or(0)
}

/// Makes the primary context of `ordinal` current on this thread.
fn enter(st: &State, ordinal: u32) -> Result<usize, i32> {
    let ctx = *st.contexts.get(&ordinal).ok_or(NO_DEVICE_OPEN)?;
    // SAFETY: `ctx` is a retained primary context, never released.
    driver(|| unsafe { cu::ctx::set_current(ctx as sys::CUcontext) })?;
    Ok(ctx)
}

/// The text of an error code, for messages.
pub fn describe(code: i32) -> String {
    match code {
        NO_DRIVER => "no CUDA driver found".to_string(),
        DRIVER_FAILED => "the CUDA driver lacks a function VeZ needs (CUDA 12.0 or newer)".into(),
        NO_DEVICE_OPEN => "no GPU device was opened with `gpu::Device::cuda`".into(),
        c => format!("CUDA driver error {c}"),
    }
}

/// `gpu::Device::cuda(ordinal)`: opens the device (its primary context). 0 or an error code.
#[no_mangle]
pub extern "C" fn vez_gpu_device(ordinal: u32) -> i32 {
    let mut st = state();
    if st.contexts.contains_key(&ordinal) {
        st.current = Some(ordinal);
        return code_of(enter(&st, ordinal).map(|_| ()));
    }
    let opened = driver(|| {
        cu::init()?;
        let dev = cu::device::get(ordinal as i32)?;
        // SAFETY: `dev` is a valid device; the context is retained for the process.
        let ctx = unsafe { cu::primary_ctx::retain(dev)? };
        unsafe { cu::ctx::set_current(ctx)? };
        Ok(ctx as usize)
    });
    match opened {
        Ok(ctx) => {
            st.contexts.insert(ordinal, ctx);
            st.current = Some(ordinal);
            0
        }
        Err(code) => {
            if code == NO_DRIVER {
                eprintln!("gpu: no CUDA driver found (libcuda could not be loaded)");
            }
            code
        }
    }
}

/// Device memory of `bytes` bytes, zeroed, on device `ordinal`; its address in `*out`.
fn alloc_zeroed(st: &State, ordinal: u32, bytes: i64) -> Result<u64, i32> {
    enter(st, ordinal)?;
    let n = bytes.max(1) as usize;
    // SAFETY: a fresh allocation of `n` bytes, written only within its size.
    driver(|| unsafe {
        let p = cu::malloc_sync(n)?;
        cu::memset_d8_sync(p, 0, n)?;
        Ok(p)
    })
}

/// `device.alloc::<T>(len)`: `bytes` zeroed bytes. 0 or an error code.
///
/// # Safety
/// `out` must be valid for a write.
#[no_mangle]
pub unsafe extern "C" fn vez_gpu_alloc(ordinal: u32, bytes: i64, out: *mut u64) -> i32 {
    let st = state();
    match alloc_zeroed(&st, ordinal, bytes) {
        Ok(p) => {
            *out = p;
            0
        }
        Err(c) => c,
    }
}

/// `device.upload(data)`: a copy of `bytes` bytes at `src` in new device memory.
///
/// # Safety
/// `src` must be valid for `bytes` reads and `out` for a write.
#[no_mangle]
pub unsafe extern "C" fn vez_gpu_upload(
    ordinal: u32,
    src: *const u8,
    bytes: i64,
    out: *mut u64,
) -> i32 {
    let st = state();
    let p = match alloc_zeroed(&st, ordinal, bytes) {
        Ok(p) => p,
        Err(c) => return c,
    };
    if bytes > 0 {
        let data = std::slice::from_raw_parts(src, bytes as usize);
        if let Err(c) = driver(|| cu::memcpy_htod_sync(p, data)) {
            return c;
        }
    }
    *out = p;
    0
}

/// Takes the pending launch error, if any.
fn take_pending(st: &mut State) -> Result<(), i32> {
    match st.pending.take() {
        Some(c) => Err(c),
        None => Ok(()),
    }
}

/// `buffer.download()`: copies `bytes` bytes of device memory at `src` to `dst`, after the
/// work launched before it.
///
/// # Safety
/// `dst` must be valid for `bytes` writes; `src` device memory of at least `bytes` bytes.
#[no_mangle]
pub unsafe extern "C" fn vez_gpu_download(ordinal: u32, src: u64, bytes: i64, dst: *mut u8) -> i32 {
    let mut st = state();
    code_of((|| {
        take_pending(&mut st)?;
        enter(&st, ordinal)?;
        if bytes > 0 {
            let out = std::slice::from_raw_parts_mut(dst, bytes as usize);
            driver(|| cu::memcpy_dtoh_sync(out, src))?;
        }
        Ok(())
    })())
}

/// `device.synchronize()`: waits for the launched work; its error, or a launch's.
#[no_mangle]
pub extern "C" fn vez_gpu_synchronize(ordinal: u32) -> i32 {
    let mut st = state();
    code_of((|| {
        take_pending(&mut st)?;
        enter(&st, ordinal)?;
        driver(cu::ctx::synchronize)
    })())
}

/// The kernel `name` of the PTX module at `ptx`, loaded into the current device's context.
fn function(st: &mut State, ptx: *const u8, name: &str) -> Result<usize, i32> {
    let ordinal = st.current.ok_or(NO_DEVICE_OPEN)?;
    let ctx = enter(st, ordinal)?;
    let key = (ctx, ptx as usize, name.to_string());
    if let Some(f) = st.functions.get(&key) {
        return Ok(*f);
    }
    let module = match st.modules.get(&(ctx, ptx as usize)) {
        Some(m) => *m,
        None => {
            // SAFETY: `ptx` is the NUL-terminated PTX text the compiler embedded.
            let m = driver(|| unsafe { cu::module::load_data(ptx as *const c_void) })? as usize;
            st.modules.insert((ctx, ptx as usize), m);
            m
        }
    };
    let cname = CString::new(name).map_err(|_| DRIVER_FAILED)?;
    // SAFETY: `module` was loaded above and is never unloaded.
    let f = driver(|| unsafe { cu::module::get_function(module as sys::CUmodule, cname) })?;
    st.functions.insert(key, f as usize);
    Ok(f as usize)
}

/// `kernel<<<grid, block>>>(args)`: launches kernel `name` of the embedded PTX module on the
/// device opened last. `params` holds one pointer per PTX parameter (a buffer is two: its
/// device address and its length). Without a CUDA driver this is a run-time error that ends
/// the program (exit status 1), naming the launch's source location `loc`; any other error is
/// kept for the next `synchronize()` or `download()`.
///
/// # Safety
/// `ptx` must be NUL-terminated; `name`/`loc` valid for their lengths; `grid` and `block`
/// three `u32`s each; `params` the kernel's parameters, as above.
#[no_mangle]
pub unsafe extern "C" fn vez_gpu_launch(
    ptx: *const u8,
    name: *const u8,
    name_len: i64,
    grid: *const u32,
    block: *const u32,
    params: *mut *mut c_void,
    nparams: i64,
    loc: *const u8,
    loc_len: i64,
) {
    let text = |p: *const u8, n: i64| {
        String::from_utf8_lossy(std::slice::from_raw_parts(p, n.max(0) as usize)).into_owned()
    };
    let name = text(name, name_len);
    if !driver_present() {
        eprintln!(
            "error: no CUDA driver found: cannot launch kernel `{name}` at {}",
            text(loc, loc_len)
        );
        std::process::exit(1);
    }
    let mut st = state();
    let g = std::slice::from_raw_parts(grid, 3);
    let b = std::slice::from_raw_parts(block, 3);
    let params = std::slice::from_raw_parts_mut(params, nparams.max(0) as usize);
    let launched = function(&mut st, ptx, &name).and_then(|f| {
        driver(|| {
            cu::launch_kernel(
                f as sys::CUfunction,
                (g[0], g[1], g[2]),
                (b[0], b[1], b[2]),
                0,
                std::ptr::null_mut(),
                params,
            )
        })
    });
    if let Err(c) = launched {
        st.pending.get_or_insert(c);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// These tests run where there is no GPU (CI): every entry point must answer with an
    /// error code, not panic. With a driver but no device they answer the driver's code.
    #[test]
    fn without_a_driver_every_call_is_an_error_code() {
        if driver_present() {
            return;
        }
        assert_eq!(vez_gpu_device(0), NO_DRIVER);
        let mut out = 0u64;
        assert_eq!(unsafe { vez_gpu_alloc(0, 16, &mut out) }, NO_DEVICE_OPEN);
        assert_eq!(vez_gpu_synchronize(0), NO_DEVICE_OPEN);
        assert_eq!(describe(NO_DRIVER), "no CUDA driver found");
    }
}
