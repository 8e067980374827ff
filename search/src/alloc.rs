//! The wasm module's memory allocator: power-of-two size classes, each with a free list, carved
//! from memory the module grows. It never returns memory to the host and never merges blocks.
//!
//! Why not std's allocator (dlmalloc on wasm32): with everything inlined, its `malloc` is a 5 KB
//! function. A browser's baseline WebAssembly compiler charges each call by the code it passes
//! through and, after about 300 calls, compiles the function again with its optimizing compiler;
//! on a cold query (the root alone makes hundreds of small allocations) that compile competed with
//! the query for a 2-core machine's CPU. These paths are a few dozen instructions.
//!
//! The allocator itself is plain code over a [`Grow`] source, so native tests drive it over an
//! arena; only wasm32 builds install it as the global allocator, over `memory.grow`. It is for a
//! single thread (wasm32 without threads).

use std::alloc::Layout;
use std::ptr::null_mut;

/// The unit memory grows by (a WebAssembly page).
pub const PAGE: usize = 65536;
/// The smallest block: room for the free list's link.
const MIN_BLOCK: usize = 16;
const CLASSES: usize = usize::BITS as usize;

/// Where fresh memory comes from.
pub trait Grow {
    /// Adds `pages` pages and returns the address of the first new byte, or None when out of
    /// memory. Consecutive calls should return consecutive regions; if not, the allocator starts
    /// afresh at the new region (the rest of the old one stays unused).
    fn grow(&mut self, pages: usize) -> Option<usize>;
}

/// The allocator's state: a free list per size class, and the unused tail of the last region.
pub struct SizeClasses<G> {
    free: [usize; CLASSES],
    next: usize,
    end: usize,
    grow: G,
}

/// The size class of `layout`: (index, block size). Blocks are aligned to their size (up to a
/// page), so every layout whose alignment is at most its block size fits.
fn class(layout: Layout) -> Option<(usize, usize)> {
    if layout.align() > PAGE {
        return None;
    }
    let size = layout
        .size()
        .max(layout.align())
        .max(MIN_BLOCK)
        .checked_next_power_of_two()?;
    Some((size.trailing_zeros() as usize, size))
}

impl<G: Grow> SizeClasses<G> {
    pub const fn new(grow: G) -> Self {
        SizeClasses {
            free: [0; CLASSES],
            next: 0,
            end: 0,
            grow,
        }
    }

    /// A block for `layout`, or null when out of memory or for an alignment above a page.
    ///
    /// # Safety
    /// The memory `Grow` hands out must be valid, writable and used by nothing else.
    pub unsafe fn alloc(&mut self, layout: Layout) -> *mut u8 {
        let Some((c, size)) = class(layout) else {
            return null_mut();
        };
        let head = self.free[c];
        if head != 0 {
            // SAFETY: a freed block of this class holds the next free block's address.
            self.free[c] = unsafe { (head as *const usize).read() };
            return head as *mut u8;
        }
        let align = size.min(PAGE);
        let Some(mut start) = self.next.checked_add(align - 1).map(|x| x & !(align - 1)) else {
            return null_mut();
        };
        let Some(mut end) = start.checked_add(size) else {
            return null_mut();
        };
        if end > self.end {
            let pages = (end - self.end).div_ceil(PAGE);
            let Some(region) = self.region(pages) else {
                return null_mut();
            };
            // (Address 0 is never a block: it marks an empty free list.)
            if region.0 == self.end && self.end != 0 {
                self.end = region.1;
            } else {
                // The first region, or one not contiguous with the last: carve from a new one
                // (page-aligned, so aligned for every class) that holds the whole block.
                let region = if region.1 - region.0 >= size {
                    region
                } else {
                    match self.region(size.div_ceil(PAGE)) {
                        Some(r) => r,
                        None => return null_mut(),
                    }
                };
                (self.next, self.end) = region;
                start = region.0;
                end = start + size;
            }
        }
        self.next = end;
        start as *mut u8
    }

    /// Grows by `pages` pages: the new region's start and end, or None.
    fn region(&mut self, pages: usize) -> Option<(usize, usize)> {
        let bytes = pages.checked_mul(PAGE)?;
        let at = self.grow.grow(pages)?;
        Some((at, at.checked_add(bytes)?))
    }

    /// Returns a block to its class's free list.
    ///
    /// # Safety
    /// `ptr` must come from this allocator with the same `layout`, and not be used again.
    pub unsafe fn dealloc(&mut self, ptr: *mut u8, layout: Layout) {
        if ptr.is_null() {
            return;
        }
        if let Some((c, _)) = class(layout) {
            // SAFETY: the block is at least MIN_BLOCK bytes and aligned to at least that.
            unsafe { (ptr as *mut usize).write(self.free[c]) };
            self.free[c] = ptr as usize;
        }
    }

    /// Resizes a block: the same block while the size class stays, else a copy.
    ///
    /// # Safety
    /// As for [`Self::dealloc`]; `new_size` must not overflow when rounded up to `layout.align()`.
    pub unsafe fn realloc(&mut self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let Ok(new_layout) = Layout::from_size_align(new_size, layout.align()) else {
            return null_mut();
        };
        if class(layout) == class(new_layout) {
            return ptr;
        }
        // SAFETY: the caller's contract; the blocks do not overlap (the old one is still live).
        unsafe {
            let p = self.alloc(new_layout);
            if !p.is_null() {
                std::ptr::copy_nonoverlapping(ptr, p, layout.size().min(new_size));
                self.dealloc(ptr, layout);
            }
            p
        }
    }
}

#[cfg(target_arch = "wasm32")]
mod global {
    use super::{Grow, SizeClasses, PAGE};
    use std::alloc::{GlobalAlloc, Layout};
    use std::cell::UnsafeCell;

    struct MemoryGrow;

    impl Grow for MemoryGrow {
        fn grow(&mut self, pages: usize) -> Option<usize> {
            let prev = core::arch::wasm32::memory_grow(0, pages);
            (prev != usize::MAX).then(|| prev * PAGE)
        }
    }

    struct Global(UnsafeCell<SizeClasses<MemoryGrow>>);

    // SAFETY: wasm32-unknown-unknown without threads runs one thread.
    unsafe impl Sync for Global {}

    // SAFETY: the memory comes from memory.grow and is used by nothing else; one thread.
    unsafe impl GlobalAlloc for Global {
        unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
            unsafe { (*self.0.get()).alloc(layout) }
        }
        unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
            unsafe { (*self.0.get()).dealloc(ptr, layout) }
        }
        unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
            unsafe { (*self.0.get()).realloc(ptr, layout, new_size) }
        }
    }

    #[global_allocator]
    static ALLOC: Global = Global(UnsafeCell::new(SizeClasses::new(MemoryGrow)));
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Hands out pages of a buffer, contiguously, up to its size; or, when `gap` is set, skips
    /// a page before each region (a host whose regions are not contiguous).
    struct Arena {
        base: usize,
        used: usize,
        pages: usize,
        gap: bool,
        /// The regions handed out: (start, end).
        regions: Vec<(usize, usize)>,
        _buf: Vec<u8>,
    }

    impl Arena {
        fn new(pages: usize, gap: bool) -> Arena {
            let buf = vec![0u8; (pages + 1) * PAGE];
            let base = (buf.as_ptr() as usize).next_multiple_of(PAGE);
            Arena {
                base,
                used: 0,
                pages,
                gap,
                regions: Vec::new(),
                _buf: buf,
            }
        }

        /// Whether `[p, p + size)` lies inside one region handed out (the gaps between regions
        /// are not the allocator's to use).
        fn holds(&self, p: *mut u8, size: usize) -> bool {
            let p = p as usize;
            // Contiguous regions merge into one.
            let mut merged: Vec<(usize, usize)> = Vec::new();
            for &(a, b) in &self.regions {
                match merged.last_mut() {
                    Some(last) if last.1 == a => last.1 = b,
                    _ => merged.push((a, b)),
                }
            }
            merged.iter().any(|&(a, b)| p >= a && p + size.max(1) <= b)
        }
    }

    impl Grow for Arena {
        fn grow(&mut self, pages: usize) -> Option<usize> {
            let skip = usize::from(self.gap && self.used > 0);
            if self.used + skip + pages > self.pages {
                return None;
            }
            let at = self.base + (self.used + skip) * PAGE;
            self.used += skip + pages;
            self.regions.push((at, at + pages * PAGE));
            Some(at)
        }
    }

    fn layout(size: usize, align: usize) -> Layout {
        Layout::from_size_align(size, align).unwrap()
    }

    /// Allocates, fills and frees blocks of many sizes and alignments; every live block keeps
    /// its contents, is aligned and lies in the arena.
    fn churn(gap: bool) {
        let mut a = SizeClasses::new(Arena::new(512, gap));
        let (lo, hi) = (a.grow.base, a.grow.base + 512 * PAGE);
        let mut live: Vec<(*mut u8, Layout, u8)> = Vec::new();
        let mut seed = 7u64;
        for round in 0..4000u32 {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let r = (seed >> 33) as usize;
            if r % 2 == 0 && !live.is_empty() {
                let (p, l, tag) = live.swap_remove(r % live.len());
                let s = unsafe { std::slice::from_raw_parts(p, l.size()) };
                assert!(s.iter().all(|&b| b == tag), "a block changed under us");
                unsafe { a.dealloc(p, l) };
                continue;
            }
            let size = match (r >> 8) % 29 {
                0 => 0,
                1..=5 => r % 16,
                6..=10 => r % 300,
                11..=15 => r % 5000,
                16 => 70_000 + r % 200_000,
                _ => r % 100,
            };
            let l = layout(size, 1 << ((r >> 4) % 8));
            let p = unsafe { a.alloc(l) };
            assert!(!p.is_null(), "out of memory at round {round}");
            let at = p as usize;
            assert_eq!(at % l.align(), 0);
            assert!(at >= lo && at + size <= hi);
            assert!(
                a.grow.holds(p, size),
                "a block outside the memory handed out"
            );
            let tag = (round % 251) as u8 + 1;
            unsafe { std::ptr::write_bytes(p, tag, size) };
            live.push((p, l, tag));
        }
        for (p, l, tag) in live {
            let s = unsafe { std::slice::from_raw_parts(p, l.size()) };
            assert!(s.iter().all(|&b| b == tag));
        }
    }

    #[test]
    fn blocks_never_overlap_and_keep_their_contents() {
        churn(false);
        churn(true);
    }

    #[test]
    fn a_big_block_after_a_gap_gets_a_region_of_its_own() {
        let mut a = SizeClasses::new(Arena::new(16, true));
        let small = layout(PAGE - 64, 8);
        let s = unsafe { a.alloc(small) };
        // Needs 3 pages; the tail of the first region holds ~0, and every new region is one page
        // apart from the last.
        let big = layout(3 * PAGE, 8);
        let b = unsafe { a.alloc(big) };
        assert!(!s.is_null() && !b.is_null());
        assert!(a.grow.holds(s, small.size()) && a.grow.holds(b, big.size()));
        unsafe { std::ptr::write_bytes(b, 7, big.size()) };
        // Later blocks come after the big one, never inside it.
        for _ in 0..50 {
            let q = unsafe { a.alloc(layout(1000, 8)) };
            assert!(a.grow.holds(q, 1000));
            let p = q as usize;
            assert!(p + 1000 <= b as usize || p >= b as usize + big.size());
        }
        let bytes = unsafe { std::slice::from_raw_parts(b, big.size()) };
        assert!(bytes.iter().all(|&x| x == 7));
    }

    #[test]
    fn freed_blocks_are_reused() {
        let mut a = SizeClasses::new(Arena::new(4, false));
        let l = layout(24, 8);
        let p = unsafe { a.alloc(l) };
        unsafe { a.dealloc(p, l) };
        // 17..=32 bytes share a class.
        assert_eq!(unsafe { a.alloc(layout(30, 4)) }, p);
        assert_ne!(unsafe { a.alloc(l) }, p);
    }

    #[test]
    fn realloc_keeps_the_contents() {
        let mut a = SizeClasses::new(Arena::new(64, false));
        let l = layout(20, 4);
        let p = unsafe { a.alloc(l) };
        unsafe { std::ptr::copy_nonoverlapping(b"hello, allocator!!!!".as_ptr(), p, 20) };
        // Same class: the same block.
        assert_eq!(unsafe { a.realloc(p, l, 32) }, p);
        let q = unsafe { a.realloc(p, l, 1000) };
        assert_ne!(q, p);
        assert_eq!(
            unsafe { std::slice::from_raw_parts(q, 20) },
            b"hello, allocator!!!!"
        );
        let big = unsafe { a.realloc(q, layout(1000, 4), 3 * PAGE) };
        assert_eq!(
            unsafe { std::slice::from_raw_parts(big, 20) },
            b"hello, allocator!!!!"
        );
    }

    #[test]
    fn out_of_memory_is_null_not_a_panic() {
        let mut a = SizeClasses::new(Arena::new(2, false));
        assert!(unsafe { a.alloc(layout(3 * PAGE, 1)) }.is_null());
        assert!(unsafe { a.alloc(layout(8, 2 * PAGE)) }.is_null());
        assert!(unsafe { a.alloc(layout(isize::MAX as usize - PAGE, 1)) }.is_null());
        let p = unsafe { a.alloc(layout(PAGE, 1)) };
        assert!(!p.is_null());
        assert_eq!(p as usize % PAGE, 0);
        assert!(unsafe { a.alloc(layout(2 * PAGE, 1)) }.is_null());
        assert!(!unsafe { a.alloc(layout(100, 8)) }.is_null());
    }
}
