// Binary search over a large sorted Vec: M lookups of pseudo-random keys, half of them absent.

const N: usize = 2_000_000;
const M: usize = 3_000_000;

fn evens(n: usize) -> Vec<u64> {
    let mut v: Vec<u64> = Vec::with_capacity(n);
    let mut i: usize = 0;
    while i < n {
        v.push(2 * i as u64);
        i += 1;
    }
    v
}

fn binary_search(a: &[u64], key: u64) -> Option<usize> {
    let mut lo: usize = 0;
    let mut hi: usize = a.len();
    while lo < hi {
        let mid = lo + (hi - lo) / 2;
        if a[mid] < key {
            lo = mid + 1;
        } else if a[mid] > key {
            hi = mid;
        } else {
            return Some(mid);
        }
    }
    None
}

fn main() {
    let v = evens(N);
    let mut seed: u64 = 12345;
    let mut found: usize = 0;
    let mut index_sum: u64 = 0;
    let mut k: usize = 0;
    while k < M {
        seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        let key = (seed >> 33) % (2 * N as u64);
        match binary_search(&v, key) {
            Some(i) => {
                found += 1;
                index_sum = index_sum.wrapping_add(i as u64);
            }
            None => {}
        }
        k += 1;
    }
    println!("{} {}", found, index_sum);
}
