// Sieve of Eratosthenes: the number of primes up to N.

const N: usize = 40_000_000;

fn count_primes(n: usize) -> usize {
    let mut composite: Vec<bool> = vec![false; n + 1];
    let mut count: usize = 0;
    let mut i: usize = 2;
    while i <= n {
        if !composite[i] {
            count += 1;
            if i <= n / i {
                let mut j = i * i;
                while j <= n {
                    composite[j] = true;
                    j += i;
                }
            }
        }
        i += 1;
    }
    count
}

fn main() {
    println!("{}", count_primes(N));
}
