// Fannkuch-redux (the Computer Language Benchmarks Game's algorithm) for permutations of N:
// the checksum and the maximum number of prefix reversals ("pancake flips").
//
// The flip count of a permutation is bounded by combinatorics the verifier does not know
// (it is finite for every permutation), so flips, the checksum and the permutation counter
// use wrapping arithmetic, the specification's opt-out; every index is proved in bounds.

const N: usize = 10;

fn main() {
    let mut perm1: [usize; 16] = [0; 16];
    let mut perm: [usize; 16] = [0; 16];
    let mut count: [usize; 16] = [0; 16];
    for i in 0..N {
        perm1[i] = i;
    }
    let mut max_flips: i64 = 0;
    let mut checksum: i64 = 0;
    let mut perm_count: u64 = 0;
    let mut r: usize = N;
    let mut done = false;
    while !done {
        while r != 1 {
            count[r - 1] = r;
            r -= 1;
        }
        perm = perm1;
        let mut flips: i64 = 0;
        let mut k = perm[0];
        while k != 0 {
            let mut i: usize = 0;
            let mut j: usize = k;
            while i < j {
                perm.swap(i, j);
                i += 1;
                j -= 1;
            }
            flips = flips.wrapping_add(1);
            k = perm[0];
        }
        if flips > max_flips {
            max_flips = flips;
        }
        if perm_count % 2 == 0 {
            checksum = checksum.wrapping_add(flips);
        } else {
            checksum = checksum.wrapping_sub(flips);
        }
        // The next permutation.
        let mut next = false;
        while !next && !done {
            if r == N {
                done = true;
            } else {
                let perm0 = perm1[0];
                for i in 0..r {
                    perm1[i] = perm1[i + 1];
                }
                perm1[r] = perm0;
                if count[r] > 0 {
                    count[r] -= 1;
                }
                if count[r] > 0 {
                    next = true;
                } else {
                    r += 1;
                }
            }
        }
        perm_count = perm_count.wrapping_add(1);
    }
    println!("{}", checksum);
    println!("Pfannkuchen({}) = {}", N, max_flips);
}
