/* The VeZ run-time library: printing with Rust's `{}`/`{:?}` formatting, panics (message and
 * location on stderr, exit code 101, as Rust does), and allocation for Vec, Box and String.
 * Compiled by the system C compiler and linked into every VeZ executable. */
#include <errno.h>
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

/* The layout of Vec<T> and String in generated code: { ptr, len, cap }. */
typedef struct {
    uint8_t *ptr;
    int64_t len;
    int64_t cap;
} VezBuf;

static void write_all(int fd, const uint8_t *p, size_t n) {
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w <= 0) return; /* a closed pipe: drop the output, as Rust's print! would panic */
        p += w;
        n -= (size_t)w;
    }
}

/* stdout is buffered (flushed at exit, when large, and before anything goes to stderr). */
static VezBuf out_buf;

static void flush_stdout(void) {
    write_all(1, out_buf.ptr, (size_t)out_buf.len);
    out_buf.len = 0;
}

/* Ends the program when memory cannot be had, as Rust's allocation error handler does. */
static void alloc_failed(const char *why) {
    flush_stdout();
    static const char msg[] = "memory allocation failed";
    write_all(2, (const uint8_t *)msg, sizeof msg - 1);
    write_all(2, (const uint8_t *)why, strlen(why));
    abort();
}

/* `p`, or the end of the program when an allocation failed. */
static void *allocated(void *p) {
    if (!p) alloc_failed("\n");
    return p;
}

/* The bytes of `n` elements of `elem` bytes each. No allocation exceeds isize::MAX bytes in
   Rust; a larger request (Rust's "capacity overflow") ends the program like any allocation
   that cannot be satisfied, instead of wrapping around to a short buffer. */
int64_t vez_array_bytes(int64_t n, int64_t elem) {
    if (n < 0 || (elem > 0 && n > INT64_MAX / elem)) alloc_failed(": capacity overflow\n");
    return n * elem;
}

/* Large buffers (a sieve's table, a matrix) ask the kernel for transparent huge pages over
   their 2 MiB-aligned interior: one fault per 2 MiB instead of 512, and far fewer TLB misses
   on strided access. Where THP is off, madvise fails harmlessly and 4 KiB pages remain. */
enum { HUGE_PAGE = 2 << 20 };

static void *huge_pages(void *p, size_t size) {
    if (size >= 2 * HUGE_PAGE) {
        uintptr_t lo = ((uintptr_t)p + HUGE_PAGE - 1) & ~(uintptr_t)(HUGE_PAGE - 1);
        uintptr_t hi = ((uintptr_t)p + size) & ~(uintptr_t)(HUGE_PAGE - 1);
        if (hi > lo) (void)madvise((void *)lo, hi - lo, MADV_HUGEPAGE);
    }
    return p;
}

void *vez_alloc(int64_t size) {
    if (size <= 0) return (void *)16; /* a dangling, aligned pointer, as Rust's empty Vec */
    return huge_pages(allocated(malloc((size_t)size)), (size_t)size);
}

/* `size` zeroed bytes (`vec![0; n]`): calloc takes fresh, already zero pages from the system
   for large sizes instead of writing them. */
void *vez_alloc_zeroed(int64_t size) {
    if (size <= 0) return (void *)16;
    return huge_pages(allocated(calloc(1, (size_t)size)), (size_t)size);
}

/* Grows a Vec so that `extra` more elements of `elem` bytes fit. */
void vez_vec_reserve(VezBuf *v, int64_t elem, int64_t extra) {
    if (extra <= v->cap - v->len) return;
    if (extra > INT64_MAX - v->len) alloc_failed(": capacity overflow\n");
    int64_t need = v->len + extra;
    int64_t cap = v->cap <= INT64_MAX / 2 ? v->cap * 2 : INT64_MAX;
    if (cap < need) cap = need;
    if (cap < 4) cap = 4;
    if (elem > 0 && cap > INT64_MAX / elem && need <= INT64_MAX / elem) cap = INT64_MAX / elem;
    void *p = vez_alloc(vez_array_bytes(cap, elem));
    if (v->len > 0) memcpy(p, v->ptr, (size_t)(v->len * elem));
    if (v->cap > 0) free(v->ptr);
    v->ptr = p;
    v->cap = cap;
}

void vez_buf_push(VezBuf *s, const uint8_t *p, int64_t n) {
    if (n <= 0) return;
    vez_vec_reserve(s, 1, n);
    memcpy(s->ptr + s->len, p, (size_t)n);
    s->len += n;
}

static void push_cstr(VezBuf *s, const char *c) { vez_buf_push(s, (const uint8_t *)c, (int64_t)strlen(c)); }

static void atexit_flush(void) { flush_stdout(); }

/* Writes a formatted line (or any text) to stdout (fd 1) or stderr (fd 2) and frees it. */
void vez_print(int32_t fd, VezBuf *s) {
    static int registered = 0;
    if (fd == 1) {
        if (!registered) {
            atexit(atexit_flush);
            registered = 1;
        }
        vez_buf_push(&out_buf, s->ptr, s->len);
        if (out_buf.len >= 1 << 16) flush_stdout();
    } else {
        flush_stdout();
        write_all(2, s->ptr, (size_t)s->len);
    }
    if (s->cap > 0) free(s->ptr);
    s->ptr = 0;
    s->len = s->cap = 0;
}

void vez_fmt_u128(VezBuf *s, unsigned __int128 v) {
    char tmp[48];
    int i = 48;
    do {
        tmp[--i] = (char)('0' + (int)(v % 10));
        v /= 10;
    } while (v);
    vez_buf_push(s, (const uint8_t *)tmp + i, 48 - i);
}

void vez_fmt_i128(VezBuf *s, __int128 v) {
    if (v < 0) {
        push_cstr(s, "-");
        vez_fmt_u128(s, (unsigned __int128)0 - (unsigned __int128)v);
    } else {
        vez_fmt_u128(s, (unsigned __int128)v);
    }
}

void vez_fmt_u64(VezBuf *s, uint64_t v) { vez_fmt_u128(s, v); }
void vez_fmt_i64(VezBuf *s, int64_t v) { vez_fmt_i128(s, v); }

void vez_fmt_bool(VezBuf *s, int32_t b) { push_cstr(s, b ? "true" : "false"); }

static void push_utf8(VezBuf *s, uint32_t c) {
    uint8_t b[4];
    int n;
    if (c < 0x80) { b[0] = (uint8_t)c; n = 1; }
    else if (c < 0x800) { b[0] = 0xC0 | (c >> 6); b[1] = 0x80 | (c & 0x3F); n = 2; }
    else if (c < 0x10000) { b[0] = 0xE0 | (c >> 12); b[1] = 0x80 | ((c >> 6) & 0x3F); b[2] = 0x80 | (c & 0x3F); n = 3; }
    else { b[0] = 0xF0 | (c >> 18); b[1] = 0x80 | ((c >> 12) & 0x3F); b[2] = 0x80 | ((c >> 6) & 0x3F); b[3] = 0x80 | (c & 0x3F); n = 4; }
    vez_buf_push(s, b, n);
}

/* Rust's char::escape_debug for the characters a string or char literal escapes. */
static void push_escaped(VezBuf *s, uint32_t c, uint32_t quote) {
    switch (c) {
    case '\n': push_cstr(s, "\\n"); return;
    case '\r': push_cstr(s, "\\r"); return;
    case '\t': push_cstr(s, "\\t"); return;
    case '\\': push_cstr(s, "\\\\"); return;
    case '\0': push_cstr(s, "\\0"); return;
    }
    if (c == quote) {
        push_cstr(s, quote == '"' ? "\\\"" : "\\'");
        return;
    }
    if (c < 0x20 || c == 0x7F) {
        char tmp[16];
        snprintf(tmp, sizeof tmp, "\\u{%x}", c);
        push_cstr(s, tmp);
        return;
    }
    push_utf8(s, c);
}

void vez_fmt_char(VezBuf *s, uint32_t c, int32_t debug) {
    if (!debug) {
        push_utf8(s, c);
        return;
    }
    push_cstr(s, "'");
    push_escaped(s, c, '\'');
    push_cstr(s, "'");
}

void vez_fmt_str(VezBuf *s, const uint8_t *p, int64_t n, int32_t debug) {
    if (!debug) {
        vez_buf_push(s, p, n);
        return;
    }
    push_cstr(s, "\"");
    for (int64_t i = 0; i < n;) {
        uint32_t c = p[i];
        int len = 1;
        if (c >= 0xF0 && i + 3 < n + 0) { c = ((c & 7) << 18) | ((p[i + 1] & 0x3F) << 12) | ((p[i + 2] & 0x3F) << 6) | (p[i + 3] & 0x3F); len = 4; }
        else if (c >= 0xE0 && i + 2 < n) { c = ((c & 15) << 12) | ((p[i + 1] & 0x3F) << 6) | (p[i + 2] & 0x3F); len = 3; }
        else if (c >= 0xC0 && i + 1 < n) { c = ((c & 31) << 6) | (p[i + 1] & 0x3F); len = 2; }
        push_escaped(s, c, '"');
        i += len;
    }
    push_cstr(s, "\"");
}

/* Does the decimal d[0].d[1..n] x 10^e read back as v? */
static int reads_back(const char *d, int n, int e, double v, int is_f32) {
    char tmp[48];
    int k = 0;
    tmp[k++] = d[0];
    if (n > 1) {
        tmp[k++] = '.';
        memcpy(tmp + k, d + 1, (size_t)(n - 1));
        k += n - 1;
    }
    snprintf(tmp + k, sizeof tmp - (size_t)k, "e%d", e);
    return is_f32 ? (strtof(tmp, 0) == (float)v) : (strtod(tmp, 0) == v);
}

/* Shortest decimal digits that read back as the same value, as Rust prints them: the digits
 * without a point, and the decimal exponent of the first digit. For each length, the two
 * candidates are v's exact expansion cut there and that plus one in the last digit; when
 * both read back, Rust takes the nearer and, at an exact tie, the upper (139.453125f32
 * prints as 139.45313), where printf's rounding would take the even one. */
static void shortest(double v, int is_f32, char *digits, int *exp10) {
    /* glibc prints a double's exact decimal expansion, which ends with the place of its
     * last binary digit (2^e2 has -e2 decimals): at most 767 significant digits. */
    int e2;
    frexp(v, &e2);
    e2 -= 53;
    int sig = (int)floor(log10(v)) + 3 + (e2 < 0 ? -e2 : 0);
    if (sig < 18) sig = 18;
    if (sig > 770) sig = 770;
    char exact[800];
    snprintf(exact, sizeof exact, "%.*e", sig, v);
    char all[780];
    int len = 0;
    char *e = strchr(exact, 'e');
    for (char *c = exact; c < e; c++)
        if (*c >= '0' && *c <= '9') all[len++] = *c;
    int x = atoi(e + 1);
    for (int n = 1; n <= 17; n++) {
        /* The digits after the first n, against half a unit of the last kept one. */
        int rest = -2; /* -2: none (v has exactly n digits), -1: below half, 0: half, 1: above */
        for (int i = n; i < len; i++)
            if (all[i] != '0') { rest = 0; break; }
        if (rest == 0 && all[n] != '5') rest = all[n] > '5' ? 1 : -1;
        else if (rest == 0)
            for (int i = n + 1; i < len; i++)
                if (all[i] != '0') { rest = 1; break; }
        char up[20];
        memcpy(up, all, (size_t)n);
        int ux = x, i = n - 1;
        while (i >= 0 && up[i] == '9') up[i--] = '0';
        if (i >= 0) up[i]++;
        else { up[0] = '1'; ux++; }
        int down_ok = reads_back(all, n, x, v, is_f32);
        int up_ok = rest != -2 && reads_back(up, n, ux, v, is_f32);
        const char *pick = 0;
        int px = x;
        if (down_ok && (!up_ok || rest < 0)) pick = all;
        else if (up_ok) { pick = up; px = ux; }
        if (pick || n == 17) {
            if (!pick) pick = all;
            memcpy(digits, pick, (size_t)n);
            while (n > 1 && digits[n - 1] == '0') n--;
            digits[n] = 0;
            *exp10 = px;
            return;
        }
    }
}

static void fmt_float(VezBuf *s, double v, int is_f32, int debug) {
    if (isnan(v)) { push_cstr(s, "NaN"); return; }
    if (isinf(v)) { push_cstr(s, v < 0 ? "-inf" : "inf"); return; }
    if (signbit(v)) push_cstr(s, "-");
    v = fabs(v);
    if (v == 0) { push_cstr(s, debug ? "0.0" : "0"); return; }
    char d[32];
    int e;
    shortest(v, is_f32, d, &e);
    int n = (int)strlen(d);
    if (debug && (e < -4 || e >= 16)) {
        /* Rust's Debug switches to scientific notation outside [1e-4, 1e16). */
        vez_buf_push(s, (const uint8_t *)d, 1);
        if (n > 1) {
            push_cstr(s, ".");
            vez_buf_push(s, (const uint8_t *)d + 1, n - 1);
        }
        char tmp[16];
        snprintf(tmp, sizeof tmp, "e%d", e);
        push_cstr(s, tmp);
        return;
    }
    if (e < 0) {
        push_cstr(s, "0.");
        for (int i = 0; i < -e - 1; i++) push_cstr(s, "0");
        vez_buf_push(s, (const uint8_t *)d, n);
    } else if (e + 1 >= n) {
        vez_buf_push(s, (const uint8_t *)d, n);
        for (int i = 0; i < e + 1 - n; i++) push_cstr(s, "0");
        if (debug) push_cstr(s, ".0");
    } else {
        vez_buf_push(s, (const uint8_t *)d, e + 1);
        push_cstr(s, ".");
        vez_buf_push(s, (const uint8_t *)d + e + 1, n - e - 1);
    }
}

void vez_fmt_f64(VezBuf *s, double v, int32_t debug) { fmt_float(s, v, 0, debug); }
void vez_fmt_f32(VezBuf *s, float v, int32_t debug) { fmt_float(s, (double)v, 1, debug); }

/* ---- Format specs: `{:>8.3}`, `{:#x}`, `{:+e}`, `{:#?}` ... ----
   The layout generated code builds for a placeholder with options; width or precision -1 is
   none. flags: bits 0-1 the alignment, then `+`, `#` and `0`. */
typedef struct {
    int64_t width;
    int64_t precision;
    uint32_t fill;
    uint32_t flags;
} VezSpec;

enum { AL_NONE = 0, AL_LEFT = 1, AL_CENTER = 2, AL_RIGHT = 3 };
enum { SP_PLUS = 4, SP_ALT = 8, SP_ZERO = 16 };
/* The formatting trait, as codegen numbers it (hir::FmtKind). */
enum { K_DISPLAY = 0, K_DEBUG = 1, K_LOWER_HEX = 2, K_UPPER_HEX = 3, K_OCTAL = 4, K_BINARY = 5,
       K_LOWER_EXP = 6, K_UPPER_EXP = 7 };

static int64_t utf8_chars(const uint8_t *p, int64_t n) {
    int64_t c = 0;
    for (int64_t i = 0; i < n; i++) c += (p[i] & 0xC0) != 0x80;
    return c;
}

/* Inserts `count` copies of the UTF-8 character `c` at byte `at` of the buffer. */
static void insert_fill(VezBuf *s, int64_t at, uint32_t c, int64_t count) {
    if (count <= 0) return;
    VezBuf one = {0, 0, 0};
    push_utf8(&one, c);
    int64_t add = vez_array_bytes(count, one.len);
    vez_vec_reserve(s, 1, add);
    memmove(s->ptr + at + add, s->ptr + at, (size_t)(s->len - at));
    for (int64_t i = 0; i < count; i++) memcpy(s->ptr + at + i * one.len, one.ptr, (size_t)one.len);
    s->len += add;
    free(one.ptr);
}

/* Formatter::pad: the text written from `start` on is padded to the width with the fill,
   aligned as asked or by the type's default (left for text, right for numbers). */
static void pad_from(VezBuf *s, int64_t start, const VezSpec *sp, int default_align) {
    if (!sp || sp->width < 0) return;
    int64_t have = utf8_chars(s->ptr + start, s->len - start);
    if (have >= sp->width) return;
    int64_t pad = sp->width - have;
    int al = (sp->flags & 3) ? (int)(sp->flags & 3) : default_align;
    int64_t pre = al == AL_LEFT ? 0 : al == AL_RIGHT ? pad : pad / 2;
    insert_fill(s, s->len, sp->fill, pad - pre);
    insert_fill(s, start, sp->fill, pre);
}

/* A number written from `start` on: with `0`, zeros go after its sign and `0x`-style prefix
   (fill and alignment ignored, as in Rust); otherwise it is padded, right-aligned. */
static void pad_number(VezBuf *s, int64_t start, int64_t prefix, const VezSpec *sp) {
    if (!sp || sp->width < 0) return;
    if (!(sp->flags & SP_ZERO)) {
        pad_from(s, start, sp, AL_RIGHT);
        return;
    }
    int64_t have = utf8_chars(s->ptr + start, s->len - start);
    int64_t at = start + prefix;
    if (s->len > start && (s->ptr[start] == '-' || s->ptr[start] == '+')) at++;
    insert_fill(s, at, '0', sp->width - have);
}

/* Digits of `v` in a base, most significant first; returns their count. */
static int digits_of(unsigned __int128 v, int base, int upper, char *out) {
    char tmp[130];
    int i = 130;
    const char *dig = upper ? "0123456789ABCDEF" : "0123456789abcdef";
    do {
        tmp[--i] = dig[(int)(v % (unsigned)base)];
        v /= (unsigned)base;
    } while (v);
    memcpy(out, tmp + i, (size_t)(130 - i));
    return 130 - i;
}

/* `d.ddde<exp>` from decimal digits and the exponent of the first; with a precision, rounded
   half to even on the digits (Rust's LowerExp for integers) or padded with zeros. */
static void push_exp(VezBuf *s, char *d, int n, int exp10, int64_t prec, int upper) {
    if (prec < 0) {
        while (n > 1 && d[n - 1] == '0') n--;
    } else if (prec + 1 < n) {
        int keep = (int)prec + 1;
        int up = d[keep] > '5';
        if (d[keep] == '5') {
            int rest = 0;
            for (int i = keep + 1; i < n; i++) rest |= d[i] != '0';
            up = rest || ((d[keep - 1] - '0') & 1);
        }
        n = keep;
        if (up) {
            int i = n - 1;
            while (i >= 0 && d[i] == '9') d[i--] = '0';
            if (i >= 0) d[i]++;
            else { memmove(d + 1, d, (size_t)n - 1); d[0] = '1'; exp10++; }
        }
    }
    vez_buf_push(s, (const uint8_t *)d, 1);
    int64_t frac = prec < 0 ? n - 1 : prec;
    if (frac > 0) {
        push_cstr(s, ".");
        for (int64_t i = 1; i <= frac; i++) push_cstr(s, i < n ? (char[]){d[i], 0} : "0");
    }
    char tmp[16];
    snprintf(tmp, sizeof tmp, "%c%d", upper ? 'E' : 'e', exp10);
    push_cstr(s, tmp);
}

/* An integer (sign- or zero-extended to 128 bits) with a spec: decimal, hexadecimal, octal
   or binary (the two's complement of its `bits` for negatives, as Rust prints them), or
   scientific. */
void vez_fmt_int_spec(VezBuf *s, __int128 v, int32_t is_signed, int32_t bits, int32_t kind, const VezSpec *sp) {
    int64_t start = s->len;
    int radix = kind == K_LOWER_HEX || kind == K_UPPER_HEX ? 16 : kind == K_OCTAL ? 8 : kind == K_BINARY ? 2 : 10;
    unsigned __int128 mag;
    int neg = 0;
    if (radix == 10) {
        neg = is_signed && v < 0;
        mag = neg ? (unsigned __int128)0 - (unsigned __int128)v : (unsigned __int128)v;
    } else {
        mag = (unsigned __int128)v;
        if (bits < 128) mag &= ((unsigned __int128)1 << bits) - 1;
    }
    if (neg) push_cstr(s, "-");
    else if (sp && (sp->flags & SP_PLUS)) push_cstr(s, "+");
    int64_t prefix = 0;
    if (sp && (sp->flags & SP_ALT) && radix != 10) {
        push_cstr(s, radix == 16 ? "0x" : radix == 8 ? "0o" : "0b");
        prefix = 2;
    }
    char d[132];
    int n = digits_of(mag, radix, kind == K_UPPER_HEX, d);
    if (kind == K_LOWER_EXP || kind == K_UPPER_EXP)
        push_exp(s, d, n, n - 1, sp ? sp->precision : -1, kind == K_UPPER_EXP);
    else
        vez_buf_push(s, (const uint8_t *)d, n);
    pad_number(s, start, prefix, sp);
}

/* A float with a spec: a precision gives that many decimals, exactly rounded (half to even,
   as Rust and C both do on the binary value); `e`/`E` is scientific. */
void vez_fmt_float_spec(VezBuf *s, double v, int32_t is_f32, int32_t kind, const VezSpec *sp) {
    int64_t start = s->len;
    int64_t prec = sp ? sp->precision : -1;
    if (isnan(v)) {
        push_cstr(s, "NaN");
    } else {
        if (signbit(v)) push_cstr(s, "-");
        else if (sp && (sp->flags & SP_PLUS)) push_cstr(s, "+");
        double a = fabs(v);
        if (isinf(a)) {
            push_cstr(s, "inf");
        } else if (kind == K_LOWER_EXP || kind == K_UPPER_EXP) {
            char d[40];
            int e = 0;
            if (a == 0) { d[0] = '0'; d[1] = 0; }
            else if (prec < 0) shortest(a, is_f32, d, &e);
            if (prec >= 0 && a != 0) {
                /* C's %.*e rounds the exact binary value; reshaped into Rust's form. */
                int need = snprintf(NULL, 0, "%.*e", (int)prec, a);
                char *t = vez_alloc(need + 1);
                snprintf(t, (size_t)need + 1, "%.*e", (int)prec, a);
                char *ex = strchr(t, 'e');
                *ex = 0;
                push_cstr(s, t);
                char tmp[16];
                snprintf(tmp, sizeof tmp, "%c%d", kind == K_UPPER_EXP ? 'E' : 'e', atoi(ex + 1));
                push_cstr(s, tmp);
                free(t);
            } else {
                push_exp(s, d, (int)strlen(d), e, prec, kind == K_UPPER_EXP);
            }
        } else if (prec >= 0) {
            int need = snprintf(NULL, 0, "%.*f", (int)prec, a);
            char *t = vez_alloc(need + 1);
            snprintf(t, (size_t)need + 1, "%.*f", (int)prec, a);
            push_cstr(s, t);
            free(t);
        } else {
            fmt_float(s, a, is_f32, kind == K_DEBUG);
        }
    }
    pad_number(s, start, 0, sp);
}

/* Text with a spec (`str`, `String`, `char` and `bool` through `Display`): a precision keeps
   that many characters, then it is padded, left-aligned by default. */
void vez_fmt_str_spec(VezBuf *s, const uint8_t *p, int64_t n, const VezSpec *sp) {
    if (sp && sp->precision >= 0) {
        int64_t chars = 0, i = 0;
        for (; i < n; i++) {
            if ((p[i] & 0xC0) != 0x80) {
                if (chars == sp->precision) break;
                chars++;
            }
        }
        n = i;
    }
    int64_t start = s->len;
    vez_buf_push(s, p, n);
    pad_from(s, start, sp, AL_LEFT);
}

void vez_fmt_char_spec(VezBuf *s, uint32_t c, const VezSpec *sp) {
    VezBuf one = {0, 0, 0};
    push_utf8(&one, c);
    vez_fmt_str_spec(s, one.ptr, one.len, sp);
    free(one.ptr);
}

/* Debug of composites (`Name { a: 1 }`, `Name(1)`, `(1,)`, `[1, 2]`), one entry at a time;
   under `{:#?}` each entry is on its own line, indented by four spaces, with a comma. */
static int pretty(const VezSpec *sp) { return sp && (sp->flags & SP_ALT); }

/* Before entry `index`; returns where it starts, for vez_dbg_entry_end. */
int64_t vez_dbg_entry(VezBuf *s, const VezSpec *sp, int64_t index, int32_t braced) {
    if (pretty(sp)) push_cstr(s, "\n");
    else if (index > 0) push_cstr(s, ", ");
    else if (braced) push_cstr(s, " ");
    return s->len;
}

void vez_dbg_entry_end(VezBuf *s, const VezSpec *sp, int64_t start) {
    if (!pretty(sp)) return;
    push_cstr(s, ",");
    /* Indent every line of the entry: from the end, so positions before stay valid. */
    for (int64_t i = s->len - 1; i >= start; i--)
        if (s->ptr[i] == '\n') insert_fill(s, i + 1, ' ', 4);
    insert_fill(s, start, ' ', 4);
}

/* After `count` entries: `close` is `}`, `)` or `]`; `one_tuple` adds Rust's `(x,)` comma. */
void vez_dbg_close(VezBuf *s, const VezSpec *sp, int64_t count, int32_t close, int32_t one_tuple) {
    if (pretty(sp)) {
        if (count > 0) push_cstr(s, "\n");
    } else if (close == '}') {
        push_cstr(s, " ");
    } else if (one_tuple && count == 1) {
        push_cstr(s, ",");
    }
    char c[2] = {(char)close, 0};
    push_cstr(s, c);
}

/* A panic: Rust's message on stderr, exit code 101. `msg` is freed text or a literal. */
__attribute__((noreturn)) void vez_panic(const uint8_t *msg, int64_t n, const uint8_t *loc, int64_t locn) {
    flush_stdout();
    VezBuf b = {0, 0, 0};
    push_cstr(&b, "\nthread 'main' panicked at ");
    vez_buf_push(&b, loc, locn);
    push_cstr(&b, ":\n");
    vez_buf_push(&b, msg, n);
    push_cstr(&b, "\nnote: run with `RUST_BACKTRACE=1` environment variable to display a backtrace\n");
    write_all(2, b.ptr + 1, (size_t)b.len - 1);
    exit(101);
}

__attribute__((noreturn)) void vez_panic_bounds(uint64_t index, uint64_t len, const uint8_t *loc, int64_t locn) {
    VezBuf b = {0, 0, 0};
    push_cstr(&b, "index out of bounds: the len is ");
    vez_fmt_u64(&b, len);
    push_cstr(&b, " but the index is ");
    vez_fmt_u64(&b, index);
    vez_panic(b.ptr, b.len, loc, locn);
}

/* A range index out of bounds, with the message of Rust's slice indexing: the start past the
   length first, then the end (as written: inclusive or not), then a start after the end. */
__attribute__((noreturn)) void vez_panic_slice(uint64_t lo, uint64_t hi, uint64_t len, int32_t inclusive,
                                               const uint8_t *loc, int64_t locn) {
    VezBuf b = {0, 0, 0};
    if (lo > len || (inclusive ? hi >= len : hi > len)) {
        push_cstr(&b, lo > len ? "range start index " : "range end index ");
        vez_fmt_u64(&b, lo > len ? lo : hi);
        push_cstr(&b, " out of range for slice of length ");
        vez_fmt_u64(&b, len);
    } else {
        push_cstr(&b, "slice index starts at ");
        vez_fmt_u64(&b, lo);
        push_cstr(&b, " but ends at ");
        vez_fmt_u64(&b, inclusive ? hi + 1 : hi);
    }
    vez_panic(b.ptr, b.len, loc, locn);
}

static int str_boundary(const uint8_t *p, uint64_t len, uint64_t i) {
    return i == 0 || i == len || (i < len && (p[i] < 0x80 || p[i] >= 0xC0));
}

/* Rust's checks of `&s[lo..hi]` of a str (`lo..=hi` when inclusive), in Rust's order and
   with its messages: an end past the length, the start after the end, an end inside a
   char. Returns only when the range is good. The string is shown cut at 256 bytes. */
void vez_str_slice_check(const uint8_t *p, uint64_t len, uint64_t lo, uint64_t hi, int32_t inclusive,
                         const uint8_t *loc, int64_t locn) {
    int end_out = inclusive ? hi >= len : hi > len;
    uint64_t end = inclusive ? hi + 1 : hi; /* used only when hi < len, so no wrap */
    const char *which = lo > len || (!end_out && !str_boundary(p, len, lo)) ? "start" : "end";
    uint64_t index = which[0] == 's' ? lo : (end_out ? hi : end);
    int kind; /* 1: out of bounds, 2: start after end, 3: not a char boundary */
    if (lo > len || end_out) kind = 1;
    else if (lo > end) kind = 2;
    else if (!str_boundary(p, len, lo) || !str_boundary(p, len, end)) kind = 3;
    else return;
    uint64_t shown = len;
    if (shown > 256) {
        shown = 256;
        while (!str_boundary(p, len, shown)) shown--;
    }
    VezBuf b = {0, 0, 0};
    if (kind == 2) {
        push_cstr(&b, "begin > end (");
        vez_fmt_u64(&b, lo);
        push_cstr(&b, " > ");
        vez_fmt_u64(&b, end);
        push_cstr(&b, ") when slicing `");
    } else {
        push_cstr(&b, which);
        push_cstr(&b, " byte index ");
        vez_fmt_u64(&b, index);
        if (kind == 1) {
            push_cstr(&b, " is out of bounds of `");
        } else {
            uint64_t at = index;
            while (!str_boundary(p, len, at)) at--;
            uint64_t n = p[at] < 0x80 ? 1 : p[at] < 0xE0 ? 2 : p[at] < 0xF0 ? 3 : 4;
            uint32_t c = n == 1 ? p[at] : (uint32_t)(p[at] & (0xFF >> (n + 1)));
            for (uint64_t k = 1; k < n && at + k < len; k++) c = (c << 6) | (p[at + k] & 0x3F);
            push_cstr(&b, " is not a char boundary; it is inside ");
            vez_fmt_char(&b, c, 1);
            push_cstr(&b, " (bytes ");
            vez_fmt_u64(&b, at);
            push_cstr(&b, "..");
            vez_fmt_u64(&b, at + n);
            push_cstr(&b, ") of `");
        }
    }
    vez_buf_push(&b, p, (int64_t)shown);
    push_cstr(&b, shown < len ? "`[...]" : "`");
    vez_panic(b.ptr, b.len, loc, locn);
}

double vez_powi_f64(double x, int32_t n) { return pow(x, (double)n); }

/* ---------------------------------------------------------------- process, arguments, stdin */

static int g_argc;
static char **g_argv;

/* Called by `main` before the VeZ program starts. */
void vez_set_args(int32_t argc, char **argv) {
    g_argc = argc;
    g_argv = argv;
}

/* `std::env::args()`: the arguments as a Vec<String> (each String is a VezBuf). */
void vez_arg_strings(VezBuf *out) {
    int64_t n = g_argc > 0 ? g_argc : 0;
    VezBuf *strings = n > 0 ? allocated(calloc((size_t)n, sizeof(VezBuf))) : (VezBuf *)16;
    for (int64_t i = 0; i < n; i++) {
        VezBuf s = {0, 0, 0};
        push_cstr(&s, g_argv[i]);
        strings[i] = s;
    }
    out->ptr = (uint8_t *)strings;
    out->len = n;
    out->cap = n;
}

/* `std::process::exit(code)`: what was printed is flushed (atexit), then the process ends. */
void vez_exit(int32_t code) { exit(code); }

/* The failure branch of a check the verifier proved (codegen's `guard_below`): never taken.
   The optimiser keeps such branches only while it bounds loops; the rest become assumptions. */
__attribute__((noreturn)) void vez_proven_guard(void) { abort(); }

/* `std::io::stdin().read_line(&mut buf)`: appends the next line (with its '\n') to `buf`;
   returns its length in bytes (0 at the end of input) or -errno. What was printed before is
   flushed first, so that a prompt shows. */
int64_t vez_read_line(VezBuf *buf) {
    /* Input read ahead in blocks; only read_line consumes stdin. */
    static uint8_t in[1 << 16];
    static size_t in_pos, in_len;
    flush_stdout();
    int64_t n = 0;
    for (;;) {
        if (in_pos == in_len) {
            ssize_t r = read(0, in, sizeof in);
            if (r == 0) return n;
            if (r < 0) {
                if (errno == EINTR) continue;
                buf->len -= n;
                return errno > 0 ? -(int64_t)errno : -1;
            }
            in_pos = 0;
            in_len = (size_t)r;
        }
        uint8_t *start = in + in_pos;
        uint8_t *nl = memchr(start, '\n', in_len - in_pos);
        size_t take = nl ? (size_t)(nl - start) + 1 : in_len - in_pos;
        vez_buf_push(buf, start, (int64_t)take);
        in_pos += take;
        n += (int64_t)take;
        if (nl) return n;
    }
}
