//! Finding the few bytes a detector needs (a digit, an `@`, a capital letter, a rare byte of a
//! known name) without looking at every byte one by one: most text has none of them nearby, and
//! the detectors then only look around the bytes found.

/// The offsets of the bytes that `needed` accepts, in ascending order. Tests 32 bytes at a time
/// into a bit mask, a loop the compiler turns into SIMD when `needed` is a few comparisons.
pub(super) fn positions(bytes: &[u8], needed: impl Fn(u8) -> bool) -> impl Iterator<Item = usize> {
    bytes.chunks(32).enumerate().flat_map(move |(chunk_index, chunk)| {
        let mut mask = 0u32;
        for (k, &b) in chunk.iter().enumerate() {
            mask |= u32::from(needed(b)) << k;
        }
        std::iter::from_fn(move || {
            (mask != 0).then(|| {
                let k = mask.trailing_zeros() as usize;
                mask &= mask - 1;
                chunk_index * 32 + k
            })
        })
    })
}

/// The byte ranges within `before`/`after` bytes of the bytes at `hits` (ascending), merged where
/// they overlap or touch, each passed through `widen` (which may only make a range larger).
pub(super) fn windows(
    hits: impl IntoIterator<Item = usize>,
    len: usize,
    before: usize,
    after: usize,
    widen: impl Fn((usize, usize)) -> (usize, usize),
) -> impl Iterator<Item = (usize, usize)> {
    let mut hits = hits.into_iter().peekable();
    std::iter::from_fn(move || {
        let first = hits.next()?;
        let (start, mut end) = widen((first.saturating_sub(before), (first + 1 + after).min(len)));
        while let Some(&hit) = hits.peek() {
            if hit + 1 + after <= end {
                hits.next();
                continue;
            }
            let (next_start, next_end) = widen((hit.saturating_sub(before), (hit + 1 + after).min(len)));
            if next_start > end {
                break;
            }
            end = end.max(next_end);
            hits.next();
        }
        Some((start, end))
    })
}
